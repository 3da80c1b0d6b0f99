/** Student-facing words of the Exercise 6 checks (data, kept apart from the logic). */

const REPLICA_NOTE =
  "Exercise 6, last step (optional): the lab's note says the app gets \"fully unpredictable for a replica count larger than 1\", because each myapi pod keeps its own in-memory list. Set `replicas: 1` in myapi.yaml and `kubectl apply -f myapi.yaml`, or give myapi a shared database (SPRING_DATASOURCE_URL, as docker-compose.db.yaml and the Helm chart do).";

export const ex6Messages = {
  workload: {
    missing: (kind: string, name: string, ns: string) => `${kind} ${name} not found in namespace ${ns}`,
    missingHint: (file: string) => `Exercise 6: put your registry name into ${file} and run \`kubectl apply -f ${file}\` (in greetings/k8s/config).`,
    wrongImage: (name: string, image: string, expected: string) => `Deployment ${name} runs ${image || 'no image'}, not your ${expected}`,
    wrongImageHint: (file: string) => `Exercise 6: change the image at the bottom of ${file} to <your registry name>.azurecr.io/… (the image you pushed in Exercise 4) and apply it again.`,
    brokenDefault: (registry: string) => ` (${registry} is the Helm chart's deliberately broken default registry)`,
    env: (name: string, key: string, found: string | undefined, expected: string) =>
      `Deployment ${name}: env ${key} is ${found === undefined ? 'not set' : JSON.stringify(found)}, the lab sets ${expected}`,
    envHint: (file: string, key: string, expected: string) => `Exercise 6: leave ${key} as '${expected}' in the last lines of ${file} and apply it again.`,
    replicaCount: (name: string, found: number, expected: number) => `Deployment ${name} asks for ${found} replica(s); the lab's ${name}.yaml asks for ${expected}`,
    replicaCountHint: (file: string, expected: number) => `Exercise 6: keep \`replicas: ${expected}\` in ${file} and apply it again.`,
    unavailable: (name: string, available: number, desired: number, pods: string) => `Deployment ${name}: ${available} of ${desired} replica(s) available${pods ? ` (pods: ${pods})` : ''}`,
    unavailableHint: 'Exercise 6: watch `kubectl get pods` until every pod is Running and READY 1/1; `kubectl describe pod <name>` shows why one waits.',
    ok: (name: string, image: string, available: number, desired: number) => `Deployment ${name} runs ${image} with ${available}/${desired} replica(s) available`,
  },

  service: {
    wrongType: (name: string, found: string, expected: string) => `Service ${name} is of type ${found}, the lab's is ${expected}`,
    wrongTypeHint: (file: string) => `Exercise 6: apply the lab's ${file} unchanged apart from the image.`,
    ports: (name: string, found: string, port: number, target: number) => `Service ${name} maps ${found}; the lab maps port ${port} → ${target}`,
    selector: (name: string, selector: string, deployment: string, labels: string) =>
      `Service ${name}'s selector ${selector} does not match the pods of Deployment ${deployment} (their labels: ${labels})`,
    noPods: (name: string, selector: string) => `Service ${name}'s selector ${selector} matches no pod`,
    noEndpoints: (name: string, notReady: number, pods: string) =>
      `Service ${name} has no ready endpoints${notReady ? ` (${notReady} not ready)` : ''}: no myapi pod is Ready${pods ? ` (pods: ${pods})` : ''}`,
    noEndpointsHint: 'Exercise 6: the myapi pods must be Running and Ready; `kubectl get pods --selector app=myapi` and `kubectl describe pod <name>` show why they are not.',
    pending: (name: string) => `Service ${name}'s EXTERNAL-IP is still <pending>: Azure is still creating its public IP; wait a few minutes and re-run`,
    pendingHint: 'Exercise 6: repeat `kubectl get svc` until the myapp service has an external IP.',
    okInternal: (name: string, ports: string, ready: number) => `Service ${name} (ClusterIP, ${ports}) has ${ready} ready endpoint(s)`,
    okExternal: (name: string, address: string, ports: string) => `Service ${name} (LoadBalancer, ${ports}) has the external address ${address}`,
  },

  e2e: {
    nginx: (url: string) => `${url} shows nginx's welcome page, not the greetings app: the myapp Deployment runs an nginx image`,
    nginxHint: 'Exercise 6: the image in myapp.yaml must be <your registry name>.azurecr.io/myapp:v1.0; apply it again.',
    noLink: (url: string, status: number, text: string) => `${url} answered ${status} without the start page's link to /greeting: "${text}"`,
    noForm: (url: string, status: number, text: string) => `${url} answered ${status} without the greeting form: "${text}"`,
    redirect: (url: string, location: string) => `${url} redirects to ${location}, which the grader does not follow`,
    unavailable: (url: string, status: number) => `${url} answered ${status}: the app is not serving yet (pods are Ready before Spring has started); wait and re-run`,
    api500: (url: string, text: string) =>
      `POST ${url} answered 500${text ? ` ("${text}")` : ''}: myapp could not reach myapi: check API_BASE_URL (http://myapi:8080) in myapp.yaml and that the myapi Service's selector matches the myapi pods`,
    api500Hint: 'Exercise 6: `kubectl describe svc myapi` must list endpoints; API_BASE_URL stays http://myapi:8080.',
    unexpected: (url: string, status: number, text: string) => `POST ${url} answered ${status}: "${text}"`,
    missing: (greeting: string, count: number) => `the answer to posting "${greeting}" lists ${count} greeting(s) but not this one`,
    unpredictable: (replicas: number) =>
      `; myapi runs ${replicas} replicas, each with its own in-memory list, so the POST and the list went to different pods: the lab's "unpredictable" state`,
    missingHint: REPLICA_NOTE,
    missingHintSingle: 'Exercise 6: add a message in the app through the browser; the answer must list it. Check the myapi pod with `kubectl logs`.',
    noAnswer: (why: string) => `the app does not answer: ${why}`,
    noAnswerHint: 'Exercise 6: open http://<external IP> in a browser; `kubectl get pods` must show every pod Running. Re-run once it answers.',
    ok: (url: string, greeting: string) => `${url}: start page, form, and the posted greeting "${greeting}" listed in the answer`,
  },

  provenance: {
    noRegistry: 'cannot tell which registry is yours: Exercise 4 found none and no pod uses an image from an Azure registry',
    notPushed: (repo: string, tag: string, loginServer: string) => `${loginServer} has no ${repo}:${tag} to compare with`,
    notPushedHint: 'Exercise 4: build and push both images with TAG=v1.0 to your registry.',
    noPods: (deployment: string) => `no running pod of Deployment ${deployment} to compare`,
    otherImage: (pod: string, image: string, repo: string) => `${pod} runs ${image}, no ${repo} image at all`,
    noPodsHint: 'Exercise 6: the myapp and myapi pods must be Running; re-run once they are.',
    mismatch: (lines: string) => `pods run other images than your registry's: ${lines}`,
    mismatchHint: 'Exercise 4 and 6: build and push your own images (docker-compose build, TAG=v1.0 docker-compose push) and use your registry in myapp.yaml and myapi.yaml.',
    ok: (pods: number) => `the ${pods} myapp and myapi pod(s) run exactly the digests of myapp:v1.0 and myapi:v1.0 in your registry`,
  },

  replicas: {
    single: (name: string) => `Deployment ${name} runs 1 replica: one in-memory list, as the lab intends`,
    shared: (name: string, n: number, count: number) => `Deployment ${name} runs ${n} replicas with a shared database (SPRING_DATASOURCE_URL), and every pod lists the same ${count} greeting(s)`,
    noPods: (name: string) => `Deployment ${name} runs more than one replica but no pod of it is running to compare`,
    inMemory: (name: string, n: number, sideBySide: string) =>
      `Deployment ${name} runs ${n} replicas, each keeping its own in-memory list${sideBySide ? `; their lists differ: ${sideBySide}` : ' (the lists will diverge as soon as greetings are added)'}`,
    diverged: (name: string, n: number, sideBySide: string) => `Deployment ${name} runs ${n} replicas with SPRING_DATASOURCE_URL set, yet their lists differ: ${sideBySide}`,
    hint: REPLICA_NOTE,
    unreadable: (pod: string, status: number, text: string) => `cannot read pod ${pod}'s list through the API server's proxy: ${status} ${text}`,
  },

  selfheal: {
    noPods: (name: string) => `no running pod of Deployment ${name} to delete`,
    noPoller: 'this Kubernetes probe cannot list pods repeatedly, so the replacement cannot be watched',
    timeout: (deleted: string, seconds: number) => `deleted pod ${deleted}, but no replacement was Running and Ready within ${seconds} s`,
    timeoutHint: 'Exercise 6: `kubectl get pod --selector app=myapi` shows whether the Deployment starts a new pod; `kubectl describe deployment myapi` shows why not.',
    lost: (deleted: string, replacement: string, seconds: number) =>
      `deleted pod ${deleted}; the Deployment started ${replacement}, Ready within ${seconds} s, and its list is empty: the state was lost, as the lab shows`,
    kept: (deleted: string, replacement: string, seconds: number, count: number) =>
      `deleted pod ${deleted}; the Deployment started ${replacement}, Ready within ${seconds} s, which still lists ${count} greeting(s) from the shared database`,
    notEmpty: (replacement: string, count: number) => `the replacement pod ${replacement} lists ${count} greeting(s) right after starting, though myapi keeps them in memory`,
    notEmptyHint: 'Exercise 6: a new myapi pod starts with an empty list unless myapi uses a database; check the myapi image and env.',
  },
};
