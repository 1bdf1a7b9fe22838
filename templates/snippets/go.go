// Go serving https:// on localhost:{{port}} with a devcert certificate, standard library only.
// Made by `devcert snippet go`. Save it as main.go and run `go run main.go`.
// For wss://, hand a route to a WebSocket library (github.com/coder/websocket,
// github.com/gorilla/websocket): the TLS setup stays the same.
// Clients trust the certificate once the devcert root is trusted: run `devcert install`
// (browsers, curl, Go) and eval "$(devcert env)" (Node, Python requests).
package main

import (
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
)

const (
	certFile = {{cert}}
	keyFile  = {{key}}
	address  = "localhost:{{port}}"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello over TLS")
	})
	server := &http.Server{
		Handler:   mux,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12},
	}
	listener, err := net.Listen("tcp", address)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on https://localhost:%d/\n", listener.Addr().(*net.TCPAddr).Port)
	log.Fatal(server.ServeTLS(listener, certFile, keyFile))
}
