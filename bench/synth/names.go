package synth

import (
	"strconv"
	"strings"
)

// Indonesian-sounding place names built from common parts of real names
// (Sungai, Muara, Tanjung, … + syllables + Jaya, Makmur, Ilir, …). They are
// made up; a collision with a real place is a coincidence.
var (
	placePrefixes = []string{"Sungai", "Tanjung", "Muara", "Batu", "Bukit", "Teluk", "Long", "Loa", "Karang",
		"Suka", "Sido", "Tanah", "Padang", "Air", "Lubuk", "Kampung", "Pulau", "Rantau", "Simpang", "Gunung",
		"Danau", "Tebing", "Labuhan", "Kuala", "Sumber", "Mekar", "Bumi", "Tirta", "Wono", "Bangun"}
	syllables = []string{"ma", "ra", "ja", "ya", "sa", "ri", "lo", "ku", "ba", "ti", "nga", "do", "wi", "se",
		"la", "ta", "bu", "ha", "ka", "mu", "ne", "pa", "ro", "tu", "gi", "le", "ke", "ang", "un", "bo", "si",
		"ran", "tan", "kam", "pung", "lin", "gau", "dis", "mang", "juk"}
	placeSuffixes = []string{"Jaya", "Makmur", "Indah", "Baru", "Lama", "Ilir", "Ulu", "Hilir", "Hulu", "Raya",
		"Sejahtera", "Mulya", "Sari", "Asri", "Permai", "Tengah", "Harapan", "Damai", "Lestari", "Utama",
		"Selatan", "Utara", "Timur", "Barat", "Kencana", "Rejo", "Agung", "Subur", "Bersatu", "Mandiri"}
	companyWords = []string{"Nusa", "Bumi", "Karya", "Sinar", "Tunas", "Cahaya", "Mitra", "Sentosa", "Abadi",
		"Prima", "Mega", "Surya", "Putra", "Sawit", "Agro", "Borneo", "Bahari", "Wana", "Citra", "Mulia",
		"Tama", "Lestari", "Persada", "Perkasa", "Gemilang", "Makmur", "Jaya", "Sakti", "Raya", "Inti"}
	romans = []string{"", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X"}
)

// root is a made-up word of two or three syllables, capitalised.
func root(r *rng) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

// placeName is a made-up place name: [prefix] root [suffix].
func placeName(r *rng) string {
	parts := make([]string, 0, 3)
	if r.chance(0.45) {
		parts = append(parts, placePrefixes[r.IntN(len(placePrefixes))])
	}
	parts = append(parts, root(r))
	if r.chance(0.4) {
		parts = append(parts, placeSuffixes[r.IntN(len(placeSuffixes))])
	}
	return strings.Join(parts, " ")
}

// uniqueNamer hands out place names unique within one namespace (a
// kecamatan's villages, the kabupaten of the country), numbering repeats.
type uniqueNamer map[string]int

func (u uniqueNamer) name(r *rng) string {
	for try := 0; try < 8; try++ {
		n := placeName(r)
		if u[n] == 0 {
			u[n] = 1
			return n
		}
	}
	n := placeName(r)
	u[n]++
	if u[n] > 1 {
		return n + " " + strconv.Itoa(u[n])
	}
	return n
}

// synthName marks a made-up organisation's name as synthetic, unless its
// name already says so (built from a synthetic region name).
func synthName(base string) string {
	if strings.Contains(base, "Sintetis") {
		return base
	}
	return base + " (Sintetis)"
}

// indexedWords names item j of a catalogue uniquely: j picks two words
// (two different words, a bijection while j < n(n-1)) and, past that, a
// number.
func indexedWords(j int) string {
	n := len(companyWords)
	a, q, c := j%n, (j/n)%(n-1), j/(n*(n-1))
	b := (a + q + 1) % n
	s := companyWords[a] + " " + companyWords[b]
	if c > 0 {
		s += " " + strconv.Itoa(c+1)
	}
	return s
}
