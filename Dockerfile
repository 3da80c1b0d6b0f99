# lab-grade as a container image (the grader of deploy/k8s-indexed-job.yaml): Node 20 and the one
# file `npm run bundle` writes, nothing else. From the repository root:
#   npm ci && npm run bundle
#   docker build -t ghcr.io/<course>/lab-grade:<version> .
#   docker push ghcr.io/<course>/lab-grade:<version>
# The base is Node 20's last official slim image (Debian 12). To pin its digest as well, look it up
# where you build (`docker buildx imagetools inspect node:20.20.2-bookworm-slim`) and write
# FROM node:20.20.2-bookworm-slim@sha256:<digest>.
FROM node:20.20.2-bookworm-slim

COPY dist/lab-grade.mjs /app/lab-grade.mjs

# The base image's `node` user, by number: Kubernetes' runAsNonRoot accepts only a numeric user.
USER 1000:1000
WORKDIR /home/node

ENTRYPOINT ["node", "/app/lab-grade.mjs"]
