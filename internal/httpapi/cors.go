package httpapi

import (
	"net/http"

	"github.com/rs/cors"
)

// corsMaxAge is how long a browser may reuse a preflight answer: two
// hours, the most Chromium honours (Firefox allows a day).
const corsMaxAge = 2 * 60 * 60

// CORS lets browser apps on the given origins (scheme://host:port, or "*"
// for any) call the API: preflights are answered and may be cached for
// corsMaxAge, answers carry Access-Control-Allow-Origin for those origins
// and expose the caching headers, and requests may send an API key in
// Authorization. No origins: next as it is, and browsers
// on other origins read nothing. Credentials are never allowed.
func CORS(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	c := cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		// What Apollo Client, urql and graphql-request send, and conditional
		// requests.
		AllowedHeaders: []string{"Accept", "Authorization", "Content-Type", "If-None-Match", "Cache-Control",
			"Apollo-Require-Preflight", "X-Apollo-Operation-Name", "Apollographql-Client-Name", "Apollographql-Client-Version"},
		ExposedHeaders: []string{"ETag", "Retry-After", "X-Sinergi-Cache"},
		MaxAge:         corsMaxAge,
	})
	return c.Handler
}
