# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=$(git describe --always --dirty) -t icbot .
# (.git is not copied in, so VERSION is what icbot version names the build by.)
# Run the console: docker run -it --rm -v icbot-data:/data icbot
# Run in Slack or Discord: pass ICBOT_ADAPTER and the tokens with -e (see README).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# A static binary: the zone database is embedded (time/tzdata), no libc needed.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/icbot ./cmd/icbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/icbot /usr/local/bin/icbot
# The database (and, later, its key file) live on a volume owned by the
# non-root user; bbolt creates the file with mode 0600.
COPY --from=build --chown=nonroot:nonroot /out/data /data
VOLUME ["/data"]
# 8080: the platform's endpoints, for a TLS proxy in front. 8081: health,
# readiness and metrics, for your monitoring only; the container's own
# loopback would hide them, so they listen on every address here: publish
# the port only where monitoring reaches it (-p 127.0.0.1:8081:8081).
ENV ICBOT_STORAGE_PATH=/data/icbot.db \
    ICBOT_HTTP_ADDR=:8080 \
    ICBOT_HTTP_ADMIN_ADDR=:8081
USER nonroot:nonroot
WORKDIR /data
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/icbot"]
