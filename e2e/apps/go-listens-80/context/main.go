// Hard-codes port 80 and has no EXPOSE: as a non-root user it cannot bind there under podman (a trap).
package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from go-listens-80")
	})
	log.Fatal(http.ListenAndServe(":80", nil))
}
