// A static Go server built in a stage of its own and copied into a Debian final stage (dhard copies it
// straight from the builder).
package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from go-multistage")
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:8080", nil))
}
