// Package dashboard is the admin endpoint's page: static files, embedded, so
// it works offline (no CDN). It reads /tree, /events and posts /faults.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the page and its assets.
func Handler() http.Handler {
	sub, _ := fs.Sub(static, "static") // the directory is embedded: it exists
	return http.FileServerFS(sub)
}
