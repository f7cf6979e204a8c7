# One image for every part; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY simulators/package.json simulators/
COPY edge/package.json edge/
COPY cloud/package.json cloud/
COPY models/package.json models/
COPY dashboard/package.json dashboard/
RUN npm ci
COPY . .
RUN cd dashboard && NEXT_TELEMETRY_DISABLED=1 npx next build
ENV NODE_ENV=production
USER node
