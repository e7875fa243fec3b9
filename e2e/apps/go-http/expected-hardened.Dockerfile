# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# golang:1.19 has gcc, so CGO is on and a net/http binary is dynamically
# linked (the net package's cgo resolver): on distroless static it fails with
# "exec /go-http: no such file or directory" (no ELF interpreter). Build with
# CGO_ENABLED=0 for static, or keep CGO and use distroless base.
FROM golang:1.19 AS builder

WORKDIR /app

COPY go.mod ./
RUN go mod download

COPY . .

RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /go-http

FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=builder /go-http /go-http

EXPOSE 8080

CMD ["/go-http"]
