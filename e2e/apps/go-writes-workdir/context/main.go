// Writes a file into its working directory at start: as a non-root user it cannot (a trap for the USER fix).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	if err := os.WriteFile("started.txt", []byte("started\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from go-writes-workdir")
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:8080", nil))
}
