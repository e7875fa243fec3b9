# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# Distroless nodejs has no npm and its ENTRYPOINT is already node
# (/nodejs/bin/node), so `CMD ["npm", "start"]` becomes the start script's
# file: package.json "start": "node server.js" -> CMD ["server.js"].
# (CMD ["npm", "start"] or ["node", "server.js"] there make node look for a
# module named npm or node: "Cannot find module '/usr/src/app/npm'".)
FROM node:22 AS builder

WORKDIR /usr/src/app

COPY package*.json ./

# production dependencies only, exactly as locked
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

FROM gcr.io/distroless/nodejs22-debian12:nonroot

ENV NODE_ENV=production

WORKDIR /usr/src/app
COPY --from=builder /usr/src/app /usr/src/app

EXPOSE 8080

CMD ["server.js"]
