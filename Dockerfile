# Multi-stage: build a static binary, run it as a non-root user on a minimal base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kernelwire ./cmd/kernelwire

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kernelwire /usr/local/bin/kernelwire
COPY feeds.yaml /etc/kernelwire/feeds.yaml
USER nonroot:nonroot
WORKDIR /var/lib/kernelwire
ENV KERNELWIRE_CONFIG=/etc/kernelwire/feeds.yaml \
    KERNELWIRE_ADDR=0.0.0.0:8080 \
    KERNELWIRE_DATA=/var/lib/kernelwire
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/kernelwire"]
CMD ["serve"]
