/**
 * Inline scenarios for the sandbox's own tests: the lab's manifests (the upstream greetings app's k8s/config files)
 * with the registry filled in, and a builder that runs them through the real scenario loader.
 */
import { parseScenario, type Scenario } from '../../sandbox/scenario.js';

export const REGISTRY = 'labuser07acr';

export function myappYaml(image = `${REGISTRY}.azurecr.io/myapp:v1.0`, replicas = 3): string {
  return `kind: Service
apiVersion: v1
metadata:
  name: myapp
spec:
  type: LoadBalancer
  selector:
    app: myapp
  ports:
  - protocol: TCP
    port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
  labels:
    app: myapp
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: myapp
  template:
    metadata:
      labels:
        app: myapp
    spec:
      containers:
      - name: myapp
        image: ${image}
        ports:
        - containerPort: 8080
        env:
          - name: API_BASE_URL
            value: "http://myapi:8080"
`;
}

export function myapiYaml(image = `${REGISTRY}.azurecr.io/myapi:v1.0`, replicas = 1, env = ''): string {
  return `kind: Service
apiVersion: v1
metadata:
  name: myapi
spec:
  type: ClusterIP
  selector:
    app: myapi
  ports:
  - protocol: TCP
    port: 8080
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapi
  labels:
    app: myapi
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: myapi
  template:
    metadata:
      labels:
        app: myapi
    spec:
      containers:
      - name: myapi
        image: ${image}
        ports:
        - containerPort: 8080
${env}`;
}

/** The Helm chart's db objects and the env it gives myapi (no myapi.dbUrl set). */
export const DB_YAML = `kind: Service
apiVersion: v1
metadata:
  name: db
spec:
  type: ClusterIP
  selector:
    app: db
  ports:
  - protocol: TCP
    port: 1433
    targetPort: 1433
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  labels:
    app: db
spec:
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: microsoft/mssql-server-linux:2017-CU12
        ports:
        - containerPort: 1433
`;

export const DB_ENV = `        env:
        - name: SPRING_DATASOURCE_URL
          value: "jdbc:sqlserver://db:1433"
        - name: SPRING_DATASOURCE_USERNAME
          value: "sa"
`;

/** A perfect student's scenario, with overrides merged at the top level of each block. */
export function scenario(overrides: { azure?: Record<string, unknown>; kubernetes?: Record<string, unknown>; faults?: Record<string, unknown>; user?: string } = {}): Scenario {
  return parseScenario(
    {
      user: overrides.user ?? 'labuser07',
      azure: {
        clusters: [{ name: 'aks07', nodeCount: 3 }],
        registries: [{ name: REGISTRY, images: ['myapp:v1.0', 'myapi:v1.0'] }],
        roleAssignments: [{ role: 'Reader', assignee: 'aks07', scope: REGISTRY }],
        ...overrides.azure,
      },
      kubernetes: { apply: `${myappYaml()}---\n${myapiYaml()}`, ...overrides.kubernetes },
      ...(overrides.faults ? { faults: overrides.faults } : {}),
    },
    'inline.yaml',
  );
}
