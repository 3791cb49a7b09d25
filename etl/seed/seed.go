// Package seed ships the register of the agreements the source articles
// report (see README.md): real agreements, entered only with what the
// articles state. `sinergi dev` loads it.
package seed

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// The register's files, in load order.
var Names = []string{"agreements.csv", "parties.csv"}

//go:embed agreements.csv parties.csv
var files embed.FS

// Files is the embedded register.
func Files() fs.FS { return files }

// Fingerprint is the SHA-256 of the register's files in Names order: what
// a run that loads them records, wherever the files were copied to.
func Fingerprint() string {
	h := sha256.New()
	for _, name := range Names {
		body, err := files.ReadFile(name)
		if err != nil {
			panic(err) // embedded above
		}
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}
