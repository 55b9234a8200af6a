# syntax=docker/dockerfile:1
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts

FROM node:22-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run typecheck

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=check --chown=node:node /app/package.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node config ./config
COPY --chown=node:node queues ./queues
COPY --chown=node:node workers ./workers
COPY --chown=node:node services ./services
COPY --chown=node:node simulator ./simulator
COPY --chown=node:node api ./api
COPY --chown=node:node cli ./cli
COPY --chown=node:node runtime ./runtime
USER node
EXPOSE 3000 8080
ENTRYPOINT ["node", "bin/reclaim.js"]
CMD ["start"]
