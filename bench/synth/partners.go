package synth

import (
	"fmt"
	"math"
	"strings"

	coop "github.com/sinergi-id/sinergi/internal/cooperation"
)

// partner is an organisation that signs agreements with villages.
type partner struct {
	name   string
	typ    coop.PartyType
	sector coop.Sector
}

// catalogue holds the partners: national ones (state enterprises, large
// companies, zakat bodies, foundations, universities) and energy and mining
// companies, both ranked with Zipf-like popularity, and the local partners
// of every kabupaten (its Baznas, dinas, local companies and foundations),
// Zipf-ranked within the kabupaten. A few partners thus sign very many
// agreements and a long tail signs one or two.
type catalogue struct {
	national    []partner
	nationalCum cumulative
	energy      []partner
	energyCum   cumulative // by national popularity, for the few outside mining kabupaten
	electricity int        // index in energy of the state electricity company
	local       [][]partner
}

// Zipf exponents of partner popularity.
const (
	zipfNational = 1.2
	zipfEnergy   = 1.0
	zipfLocal    = 1.0
)

var (
	nationalTypes   = []coop.PartyType{coop.PartyStateEnterprise, coop.PartyCompany, coop.PartyZakatBody, coop.PartyFoundation, coop.PartyUniversity}
	nationalTypeW   = []float64{0.18, 0.34, 0.06, 0.27, 0.15}
	energySectors   = []coop.Sector{coop.SectorCoal, coop.SectorOilGas, coop.SectorMineral, coop.SectorEnergy}
	energySectorW   = []float64{0.45, 0.2, 0.2, 0.15}
	localAgencyName = []struct {
		name   string
		sector coop.Sector
	}{
		{"Dinas Pekerjaan Umum", coop.SectorPublicWorks}, {"Dinas Pertanian", coop.SectorOther},
		{"Dinas Kesehatan", coop.SectorHealth}, {"Dinas Pendidikan", coop.SectorEducation},
		{"Dinas Pariwisata", coop.SectorOther}, {"Dinas Koperasi dan UKM", coop.SectorOther},
		{"Dinas Perikanan", coop.SectorOther}, {"Dinas Lingkungan Hidup", coop.SectorOther},
		{"Dinas Komunikasi dan Informatika", coop.SectorOther}, {"Dinas Ketahanan Pangan", coop.SectorOther},
		{"Dinas Sosial", coop.SectorSocial}, {"Dinas Perkebunan", coop.SectorPlantation},
	}
)

func newCatalogue(w *world, p Profile, seed uint64) *catalogue {
	r := newRNG(seed, streamPartners)
	c := &catalogue{}

	// National partners: the two most popular are fixed archetypes (a state
	// bank's programme and the national zakat body), the rest drawn.
	for i := 0; i < max(p.NationalPartners, 2); i++ {
		words := indexedWords(i)
		var pt partner
		switch i {
		case 0:
			pt = partner{"PT Bank Rakyat Sintetis (Persero)", coop.PartyStateEnterprise, coop.SectorFinance}
		case 1:
			pt = partner{"Baznas Sintetis Pusat", coop.PartyZakatBody, coop.SectorSocial}
		default:
			switch pt.typ = nationalTypes[r.weighted(nationalTypeW)]; pt.typ {
			case coop.PartyStateEnterprise:
				pt.name = "PT " + words + " Sintetis (Persero)"
				pt.sector = []coop.Sector{coop.SectorFinance, coop.SectorPublicWorks, coop.SectorPlantation, coop.SectorOther, coop.SectorForestry}[r.weighted([]float64{3, 2, 2, 2, 1})]
			case coop.PartyCompany:
				pt.name = "PT " + words + " Sintetis Tbk"
				pt.sector = []coop.Sector{coop.SectorPlantation, coop.SectorForestry, coop.SectorFinance, coop.SectorOther}[r.weighted([]float64{3, 1, 1.5, 4.5})]
			case coop.PartyZakatBody:
				pt.name, pt.sector = "Lembaga Amil Zakat Sintetis "+words, coop.SectorSocial
			case coop.PartyFoundation:
				pt.name = "Yayasan Sintetis " + words
				pt.sector = []coop.Sector{coop.SectorSocial, coop.SectorEducation, coop.SectorHealth, coop.SectorNone}[r.weighted([]float64{4, 2, 2, 2})]
			case coop.PartyUniversity:
				pt.name, pt.sector = []string{"Universitas Sintetis ", "Institut Sintetis ", "Politeknik Sintetis "}[r.weighted([]float64{6, 2, 2})]+words, coop.SectorEducation
			}
		}
		c.national = append(c.national, pt)
	}
	c.nationalCum = zipfCumulative(len(c.national), zipfNational)

	// Energy and mining companies: the state electricity and oil companies
	// first, then coal, oil and gas, mineral and energy companies.
	for i := 0; i < max(p.EnergyPartners, 3); i++ {
		words := indexedWords(i)
		var pt partner
		switch i {
		case 0:
			pt = partner{"PT Listrik Nusantara Sintetis (Persero)", coop.PartyStateEnterprise, coop.SectorEnergy}
		case 1:
			pt = partner{"PT Migas Nusantara Sintetis (Persero)", coop.PartyStateEnterprise, coop.SectorOilGas}
		default:
			pt.sector = energySectors[r.weighted(energySectorW)]
			pt.typ = coop.PartyCompany
			suffix := map[coop.Sector]string{coop.SectorCoal: " Batubara", coop.SectorOilGas: " Petroleum",
				coop.SectorMineral: " Mineral", coop.SectorEnergy: " Energi"}[pt.sector]
			pt.name = "PT Sintetis " + words + suffix
			if r.chance(0.12) {
				pt.typ = coop.PartyStateEnterprise
				pt.name = "PT Sintetis " + words + suffix + " (Persero)"
			}
		}
		c.energy = append(c.energy, pt)
	}
	c.electricity = 0
	c.energyCum = zipfCumulative(len(c.energy), zipfEnergy)

	// The operators of each mining kabupaten: the big companies of its
	// commodity almost everywhere, the small ones here and there.
	for ki := range w.kabs {
		k := &w.kabs[ki]
		k.operators, k.operatorCum = nil, nil
		if !k.mining {
			continue
		}
		var weights []float64
		for i := 1; i < len(c.energy); i++ {
			chance := 0.5 / math.Pow(float64(i), 0.6)
			if c.energy[i].sector == k.mineSector {
				chance = 3 / math.Pow(float64(i), 0.6)
			}
			if r.chance(chance) {
				k.operators = append(k.operators, i)
				wt := math.Pow(float64(i+1), -zipfEnergy)
				if c.energy[i].sector == k.mineSector {
					wt *= 3
				}
				weights = append(weights, wt)
			}
		}
		for len(k.operators) < 2 {
			i := 1 + r.IntN(len(c.energy)-1)
			k.operators = append(k.operators, i)
			weights = append(weights, math.Pow(float64(i+1), -zipfEnergy))
		}
		k.operatorCum = newCumulative(weights)
	}

	// Local partners of each kabupaten/kota.
	lr := newRNG(seed, streamLocal)
	c.local = make([][]partner, len(w.kabs))
	for ki := range w.kabs {
		k := &w.kabs[ki]
		lr.at(seed, streamLocal, uint64(ki))
		k.localCount = 12 + (k.desaHi-k.desaLo)/2
		k.localCum = zipfCumulative(k.localCount, zipfLocal)
		list := make([]partner, k.localCount)
		for j := range list {
			list[j] = localPartner(lr, k, j)
		}
		c.local[ki] = list
	}
	return c
}

// localPartner is partner j of kabupaten k: its Baznas, its regional bank,
// then local companies, foundations, campuses and regional enterprises.
func localPartner(r *rng, k *kabupaten, j int) partner {
	switch j {
	case 0:
		return partner{synthName("Baznas " + k.name), coop.PartyZakatBody, coop.SectorSocial}
	case 1:
		return partner{synthName("Perumda Bank Perkreditan Rakyat " + k.short), coop.PartyStateEnterprise, coop.SectorFinance}
	}
	words := indexedWords(j)
	switch []coop.PartyType{coop.PartyCompany, coop.PartyFoundation, coop.PartyUniversity, coop.PartyStateEnterprise,
		coop.PartyZakatBody}[r.weighted([]float64{0.55, 0.3, 0.06, 0.06, 0.03})] {
	case coop.PartyFoundation:
		return partner{synthName("Yayasan " + words + " " + k.short), coop.PartyFoundation,
			[]coop.Sector{coop.SectorSocial, coop.SectorEducation, coop.SectorHealth, coop.SectorNone}[r.weighted([]float64{4, 2, 2, 2})]}
	case coop.PartyUniversity:
		kind := []string{"Sekolah Tinggi ", "Politeknik ", "Universitas "}[r.IntN(3)]
		return partner{synthName(kind + words + " " + k.short), coop.PartyUniversity, coop.SectorEducation}
	case coop.PartyStateEnterprise:
		return partner{synthName("Perumda " + words + " " + k.short), coop.PartyStateEnterprise,
			[]coop.Sector{coop.SectorPublicWorks, coop.SectorOther, coop.SectorFinance}[r.IntN(3)]}
	case coop.PartyZakatBody:
		return partner{synthName("LAZ " + words + " " + k.short), coop.PartyZakatBody, coop.SectorSocial}
	}
	sector := []coop.Sector{coop.SectorPlantation, coop.SectorForestry, coop.SectorFinance, coop.SectorOther}[r.weighted([]float64{3.5, 1.5, 1, 4})]
	form := "PT "
	if r.chance(0.35) {
		form = "CV "
	}
	return partner{synthName(form + words + " " + k.short), coop.PartyCompany, sector}
}

// sectorAgency is one of the dinas of kabupaten k, a technical partner
// beside the third parties (a dinas is government, not a third party).
func sectorAgency(r *rng, k *kabupaten) partner {
	a := localAgencyName[r.IntN(len(localAgencyName))]
	return partner{synthName(a.name + " " + k.name), coop.PartySectorAgency, a.sector}
}

// kabGovName is the name of a kabupaten's or kota's government.
func kabGovName(k *kabupaten, r *rng) string {
	if r.chance(0.3) {
		return "DPMD " + k.name
	}
	return "Pemerintah " + k.name
}

// provGovName is the name of a province's government.
func provGovName(name string) string {
	if strings.HasPrefix(name, "Provinsi ") {
		return "Pemerintah " + name
	}
	return "Pemerintah Provinsi " + name
}

// otherProvinces are real provinces a province outside the region file can
// be (for a single-province region file), as seed 003's Jawa Timur.
var otherProvinces = []struct{ code, name string }{
	{"35", "Jawa Timur"}, {"63", "Kalimantan Selatan"}, {"62", "Kalimantan Tengah"},
	{"65", "Kalimantan Utara"}, {"73", "Sulawesi Selatan"},
}

// otherProvince picks a province other than the one of kabupaten k.
func (w *world) otherProvince(r *rng, k *kabupaten) (code, name string) {
	own := w.provs[k.prov].code
	if len(w.provs) > 1 {
		for {
			p := w.provs[r.IntN(len(w.provs))]
			if p.code != own {
				return p.code, provGovName(p.name)
			}
		}
	}
	for {
		p := otherProvinces[r.IntN(len(otherProvinces))]
		if p.code != own {
			return p.code, provGovName(p.name)
		}
	}
}

func (c *catalogue) String() string {
	n := 0
	for _, l := range c.local {
		n += len(l)
	}
	return fmt.Sprintf("%d national, %d energy and mining, %d local partners", len(c.national), len(c.energy), n)
}
