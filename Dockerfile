# syntax=docker/dockerfile:1
# Build: docker build -t icbot .
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
ENV ICBOT_STORAGE_PATH=/data/icbot.db \
    ICBOT_HTTP_ADDR=:8080
USER nonroot:nonroot
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/icbot"]
