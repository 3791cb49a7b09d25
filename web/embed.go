// Package web serves the planners' console and GraphiQL from the built
// assets in dist/ (committed, so that `go build` needs no Node.js; `make
// web` rebuilds them from src/ with the pinned package-lock.json), and the
// map boundaries beside them: everything a browser needs, from sinergi
// itself, with no internet.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the console at /, GraphiQL at /graphiql, the built assets
// at /assets/ and the boundary files of boundaries (GeoJSON only) at
// /data/kaltim/.
func Handler(boundaries fs.FS) http.Handler {
	built, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // embedded above
	}
	mux := http.NewServeMux()
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			// The pages name the hashed assets: revalidate them, so a new
			// binary's console is picked up at once.
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, built, name)
		}
	}
	mux.HandleFunc("GET /{$}", page("index.html"))
	mux.HandleFunc("GET /graphiql", page("graphiql.html"))
	assets := http.FileServerFS(built)
	mux.Handle("GET /assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Asset names carry a content hash: cache them for good.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		assets.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /data/kaltim/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if path.Ext(name) != ".geojson" || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("Content-Type", "application/geo+json")
		http.ServeFileFS(w, r, boundaries, name)
	})
	return mux
}
