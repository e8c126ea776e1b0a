# Secours: one static binary with its data embedded, run as a non-root user
# in an image with no shell and no package manager (distroless): little to
# patch, nothing to log into. docs/production.md explains the deployment;
# deploy/compose.yaml runs this image with Redis.
#
# Build:  docker build -t secours .
#         (labels: --build-arg VERSION=$(git describe --always) --build-arg REVISION=$(git rev-parse HEAD))
# Run:    docker run --rm -it secours                        terminal chat, nothing to configure
#         docker run --env-file deploy/secours.env -v secours-data:/data -p 127.0.0.1:8080:8080 secours

# The Go of go.mod's go line; bookworm, like the runtime image's Debian 12.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first: this layer stays cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: no libc, so the binary runs in an image that has none
# (the WhatsApp store's SQLite is modernc's, in pure Go). -trimpath: no
# path of the build machine in the binary, so builds are reproducible.
# -s -w: no symbol table nor DWARF (a smaller image); panics keep their
# file:line.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/secours ./cmd/secours
# The data folder, made here because the runtime image has no mkdir. Its
# owner is nonroot (65532): Docker copies it, owner included, into an empty
# named volume mounted on /data, so the bot can write there.
RUN mkdir -p /out/data/outbox

# static: CA certificates (Telegram, SMTP over TLS), tzdata and /etc/passwd,
# nothing else. :nonroot runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Secours" \
      org.opencontainers.image.description="Digital first-aid chatbot (Telegram, WhatsApp) that refers people to digital-help places" \
      org.opencontainers.image.source="https://github.com/secours/secours" \
      org.opencontainers.image.documentation="https://github.com/secours/secours/blob/main/docs/production.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/secours /secours
COPY --from=build --chown=65532:65532 /out/data /data
# /data keeps what must survive a new container: the WhatsApp device
# database (set WHATSAPP_DB=/data/whatsapp.db to turn WhatsApp on: it is not
# set here, since setting it is what turns the channel on, and a
# Telegram-only bot would then refuse to start), the mail outbox used
# when SMTP_URL is empty, and without Redis the Telegram inbox (inbox/,
# beside the outbox: the updates being answered, so a crash loses none). It is also the working folder, so relative paths
# ("secours share" folders) land in the volume, not in the read-only root.
VOLUME ["/data"]
WORKDIR /data
ENV OUTBOX_DIR=/data/outbox
# HTTP_ADDR's default: structures' pages, Telegram webhook, /healthz,
# /readyz, /metrics. Publish it to a reverse proxy only (HTTPS).
EXPOSE 8080
USER nonroot:nonroot
# No shell nor curl here: the binary asks its own /healthz. Docker's
# --timeout stays above the probe's own 3 s, so a failure says why; the
# start period covers a wait for Redis (REDIS_WAIT) and Telegram's setup.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/secours", "healthcheck"]
# SIGTERM (Docker's default) drains for up to 35 s: give "docker stop" a
# -t 40, as deploy/compose.yaml does with stop_grace_period.
ENTRYPOINT ["/secours"]
