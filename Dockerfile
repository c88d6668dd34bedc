# oomwatch as a container image: Node.js 20 on Debian bookworm-slim, with better-sqlite3's prebuilt binary.
# Build:  docker build -t oomwatch:0.1.0 .
# Run it on Kubernetes with deploy/kubernetes/ (docs/kubernetes.md), or by hand:
#   docker run -d --name oomwatch --pid=host --privileged --restart=on-failure \
#     -v /var/lib/oomwatch:/var/lib/oomwatch -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro oomwatch:0.1.0
# (--privileged puts the agent in the host's cgroup namespace, so /proc/PID/cgroup names the host's paths.)

# 1. Build: compile, pack exactly what `npm pack` ships (package.json "files"), install its production
#    dependencies from the lock file. better-sqlite3 downloads its prebuilt binary for this Node.js and libc.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json vitest.config.ts LICENSE README.md ./
COPY src ./src
# scripts/ (the drill ships) imports test helpers, so the build compiles test/ too; neither reaches the image.
COPY scripts ./scripts
COPY test ./test
COPY migrations ./migrations
COPY config ./config
COPY docs ./docs
RUN npm pack --pack-destination /tmp \
 && mkdir -p /opt/oomwatch \
 && tar -xzf /tmp/oomwatch-*.tgz -C /opt/oomwatch --strip-components=1 \
 && cp package-lock.json /opt/oomwatch/ \
 && cd /opt/oomwatch \
 && npm ci --omit=dev --no-audit --no-fund \
 && rm package-lock.json \
 && npm cache clean --force

# 2. Run: the same base, the packed program and its production dependencies only.
FROM node:20-bookworm-slim
COPY --from=build /opt/oomwatch /opt/oomwatch
RUN ln -s /opt/oomwatch/dist/src/cli/bin.js /usr/local/bin/oomwatch && chmod 0755 /opt/oomwatch/dist/src/cli/bin.js
# The node flags of the systemd unit (src/agent/node-runtime.ts explains each), with the heap sized for the
# DaemonSet's 256Mi limit: raise --max-old-space-size with the limit on hosts with far more than 8,000 processes.
ENV NODE_ENV=production \
    UV_THREADPOOL_SIZE=1 \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=1 --v8-pool-size=1" \
    OOMWATCH_CONFIG=/etc/oomwatch/config.yaml
# The agent reads every process's /proc files and /dev/kmsg, and writes its database under /var/lib/oomwatch:
# it runs as root in the host's PID namespace (docs/kubernetes.md says which rights and why).
WORKDIR /var/lib/oomwatch
EXPOSE 9717
ENTRYPOINT ["oomwatch"]
CMD ["run"]
