# One image for the worker and the bot; docker-compose.yml picks the entry point.

# istioctl renders the Istio manifests offline; built from the Go module proxy like the test binaries.
FROM golang:1.26-bookworm AS istioctl
WORKDIR /src
COPY scripts/provision-kube.sh scripts/kube-versions.env scripts/
RUN MESHOPS_CACHE_DIR=/cache scripts/provision-kube.sh istioctl \
 && cp /cache/bin/istioctl-* /usr/local/bin/istioctl

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production MESHOPS_ISTIOCTL=/usr/local/bin/istioctl
WORKDIR /app
COPY --from=istioctl /usr/local/bin/istioctl /usr/local/bin/istioctl
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
COPY manifest.yml ./
USER node
CMD ["node", "dist/worker/main.js"]
