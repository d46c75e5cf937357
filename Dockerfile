# Audex API image. The database is external (MONGODB_URI, MongoDB 7+); the embedded FerretDB is a
# development convenience and is not built into the image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# glibc keeps each freed 19 MiB argon2 buffer in its thread's arena unless big blocks are always mmapped (docs/operations.md).
ENV MALLOC_MMAP_THRESHOLD_=131072
# A heap ceiling also makes V8 grow the heap by ~1.4x between full collections instead of up to 4x (docs/operations.md).
ENV NODE_OPTIONS=--max-old-space-size=512
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.js"]
