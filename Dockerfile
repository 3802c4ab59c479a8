# The service image: Node 20, the project's runtime dependencies, the service compiled to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall generates the Prisma client (into src/store/generated, compiled with the rest).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# tfjs-node (optional) installs where it can.
RUN npm ci --omit=dev --no-audit --no-fund
COPY schema.graphql ./
COPY --from=build /app/dist ./dist
RUN mkdir -p models .data && chown -R node:node /app
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:4000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# What `npm start` runs after its build (the `serve` script), with node itself as PID 1 so that SIGTERM
# reaches the service, which stops in order (test/docker.test.ts keeps the two the same). Compose adds an
# init (tini) in front of it as well.
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
