// Package synth generates deterministic synthetic data for sinergi: region
// registers, IDM scores and cooperation registers in exactly the layouts the
// ETL reads (regionfile.Parse, idmfile.Parse, register.Stream), at named
// scale profiles, for tests and benchmarks.
//
// Everything it writes is marked synthetic: province names read "Provinsi
// Sintetis NN", every IDM row says "SINTETIS: data buatan, bukan data resmi"
// in keterangan_sumber, every agreement title starts with "(SINTETIS)", the
// names of partners and bodies carry "Sintetis", and MANIFEST.txt says so.
//
// The same profile and seed give the same bytes. Rows are streamed to
// buffered CSV writers; only the region hierarchy (a few MB at national
// scale), the partner catalogues and the inter-village bodies are held in
// memory, never a register table.
package synth

import (
	"fmt"
	"strings"
	"time"

	coop "github.com/sinergi-id/sinergi/internal/cooperation"
)

// Profile is a named scale of generated data.
type Profile struct {
	Name string
	// RealRegions: the regions (and IDM scores) are read from the files
	// given in Options; no wilayah.csv or idm_*.csv is written.
	RealRegions bool

	// The synthetic region hierarchy (ignored with RealRegions).
	Provinces []string // 2-digit province codes
	KabKota   int      // kabupaten + kota
	Kecamatan int
	Villages  int // desa + kelurahan

	// IDM years written (ignored with RealRegions).
	FirstIDMYear, LastIDMYear int

	// Register sizes: absolute, or per desa when AgreementsPerDesa > 0
	// (profiles over real regions scale with the region file).
	Agreements        int
	Bodies            int
	AgreementsPerDesa float64
	BodiesPerDesa     float64

	// Catalogue sizes of partners that work across kabupaten: national
	// companies, state enterprises, foundations, universities; and energy
	// and mining companies.
	NationalPartners int
	EnergyPartners   int

	// RealisationRate is the chance that a reporting agreement reports a
	// month for one of its desa (calibrated so that the profiles land near
	// their documented row counts).
	RealisationRate float64
}

// The fixed point in time of the generated register: statuses, realisations
// and drafts are as of this date, so the output does not depend on the clock.
var DataAsOf = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

// Marker is the keterangan_sumber of every generated IDM row and the
// source_reference of every generated agreement.
const Marker = "SINTETIS: data buatan, bukan data resmi"

// TitlePrefix starts every generated agreement title.
const TitlePrefix = "(SINTETIS)"

// Label is how generated data marks itself: the prefix of agreement and
// body ids, the start of every agreement title, and the source reference of
// agreements and IDM rows. The zero Label is the benchmarks' SINTETIS one.
type Label struct {
	IDPrefix    string // "SIN": agreement ids SIN-6402-2024-000001, bodies SIN-BKAD-…
	TitlePrefix string
	Marker      string
}

// Synthetic is the default label of generated data.
var Synthetic = Label{IDPrefix: "SIN", TitlePrefix: TitlePrefix, Marker: Marker}

// Simulation labels the simulated register `sinergi dev` shows over the
// real villages (dataset simulation): ids start with
// cooperation.SimulationPrefix, as the loader requires.
var Simulation = Label{
	IDPrefix:    strings.TrimSuffix(coop.SimulationPrefix, "-"),
	TitlePrefix: "(SIMULASI)",
	Marker:      "SIMULASI: register buatan sinergi atas desa Kalimantan Timur yang nyata, bukan data resmi",
}

func (l Label) orDefault() Label {
	if l == (Label{}) {
		return Synthetic
	}
	return l
}

// nationalProvinces are Kemendagri's 38 province codes.
var nationalProvinces = []string{
	"11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
	"31", "32", "33", "34", "35", "36", "51", "52", "53",
	"61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76",
	"81", "82", "91", "92", "93", "94", "95", "96",
}

// Small is for tests and quick benchmarks.
var Small = Profile{
	Name:      "small",
	Provinces: []string{"33", "64", "91"}, // Jawa Tengah, Kalimantan Timur, Papua: dense, mining, remote
	KabKota:   20, Kecamatan: 200, Villages: 2500,
	FirstIDMYear: 2019, LastIDMYear: 2024,
	Agreements: 10_000, Bodies: 120,
	NationalPartners: 300, EnergyPartners: 30,
	RealisationRate: 0.45,
}

// Kaltim is the real Kalimantan Timur regions and IDM (read from the files
// given) with a synthetic register in national proportions per desa.
var Kaltim = Profile{
	Name:              "kaltim",
	RealRegions:       true,
	AgreementsPerDesa: 500_000.0 / 75_000,
	BodiesPerDesa:     4_000.0 / 75_000,
	NationalPartners:  600, EnergyPartners: 60,
	RealisationRate: 0.45,
}

// National is Indonesia's scale: 38 provinces, 514 kabupaten/kota.
var National = Profile{
	Name:      "national",
	Provinces: nationalProvinces,
	KabKota:   514, Kecamatan: 7_200, Villages: 83_000,
	FirstIDMYear: 2015, LastIDMYear: 2024,
	Agreements: 500_000, Bodies: 4_000,
	NationalPartners: 6_000, EnergyPartners: 400,
	RealisationRate: 0.53,
}

// Profiles lists the named profiles.
var Profiles = []Profile{Small, Kaltim, National}

// ProfileByName finds a named profile.
func ProfileByName(name string) (Profile, error) {
	var names []string
	for _, p := range Profiles {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("unknown profile %q (want %s)", name, strings.Join(names, ", "))
}
