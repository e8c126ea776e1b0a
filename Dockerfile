# Secours: a static binary with its data embedded, run as a non-root user.
# Build:  docker build -t secours .
# Run:    docker run --rm -it secours                      (terminal chat)
#         docker run -e REDIS_URL=redis://redis:6379/0 …   (with Redis)
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: the binary needs no libc, so it runs in an empty image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/secours ./cmd/secours

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/secours /secours
USER nonroot:nonroot
ENTRYPOINT ["/secours"]
