# The GitHub Action's image: a static modelgate binary on a small base with
# CA certificates and git (a partial clone, actions/checkout's filter:
# blob:none, fetches the blobs the gate reads through git, as git would). No USER and no WORKDIR: the runner mounts the workspace and
# runs the entry point as the default user, as GitHub requires.
FROM golang:1.26-alpine AS build
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
# Modules first, in a layer of their own: it stays cached until go.sum changes.
COPY go.mod go.sum /src/
RUN cd /src && go mod download
COPY . /src/
RUN cd /src && go build -ldflags="-s -w" -o /out/modelgate .

FROM alpine:3.20
RUN apk add --no-cache ca-certificates git
COPY --from=build /out/modelgate /usr/local/bin/modelgate
ENTRYPOINT ["/usr/local/bin/modelgate", "action"]
