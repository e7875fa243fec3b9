// Makes its state folder under /var/lib at start, with a name it computes: as a non-root user it cannot.
// dhard cannot work the path out from the text, so it must not claim the USER fix is safe (a trap).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	dir := filepath.Join("/var/lib", fmt.Sprintf("%s-%d", "trap", 1))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from go-writes-computed-path")
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:8080", nil))
}
