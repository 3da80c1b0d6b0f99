/**
 * The lab's Helm chart (cadullms/greetings, k8s/helm, MIT licence): its Chart.yaml metadata and its
 * values.yaml exactly as the repository has it (no newline at the end), which Helm keeps in every
 * release record as the chart's own values.
 */
import { parse } from 'yaml';

export const GREETINGS_CHART = { apiVersion: 'v1', appVersion: '1.0', description: 'The Greetings app as a helm chart', name: 'greetings', version: '0.3.0' };

export const GREETINGS_VALUES_YAML = `# Default values for greetings.
# This is a YAML-formatted file.
# Declare variables to be passed into your templates.

# This can never work, must be overriden while deploying
registry: azurezr.io

myapp:
  replicaCount: 3
  versionTag: v1.0

myapi:
  replicaCount: 3
  versionTag: v1.0
  dbUrl:
  dbUsername:
  dbPassword:`;

export const greetingsValues = (): Record<string, unknown> => parse(GREETINGS_VALUES_YAML) as Record<string, unknown>;
