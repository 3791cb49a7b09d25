// Package kaltim holds the real, public Kalimantan Timur reference data that
// ships with sinergi (see README.md for provenance and licences): the
// Kemendagri 2025 regions, IDM 2023 and 2024, and the kabupaten/kota and
// kecamatan boundaries. `sinergi dev` loads the tables and the console's map
// draws the boundaries.
package kaltim

import (
	"embed"
	"io/fs"
)

// The files, by name.
const (
	Wilayah             = "kaltim_wilayah_kemendagri_2025.csv"
	DesaKelurahan       = "kaltim_desa_kelurahan_kemendagri_2025.csv"
	KabupatenKota       = "kaltim_kabkota_2025.csv"
	IDM2023             = "kaltim_idm_2023.csv"
	IDM2024             = "kaltim_idm_2024.csv"
	KabKotaBoundaries   = "kaltim_kabkota_boundaries.geojson"
	KecamatanBoundaries = "kaltim_kecamatan_boundaries.geojson"
)

// IDMFiles are the IDM files, oldest first.
var IDMFiles = []string{IDM2023, IDM2024}

//go:embed *.csv *.geojson SHA256SUMS
var files embed.FS

// Files is the embedded data: the CSV and GeoJSON files and SHA256SUMS.
func Files() fs.FS { return files }
