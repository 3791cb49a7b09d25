package region

import "github.com/sinergi-id/sinergi/internal/label"

// LevelLabels names the levels of the hierarchy.
var LevelLabels = map[Level]label.Text{
	LevelProvinsi:      {ID: "Provinsi", EN: "Province"},
	LevelKabupatenKota: {ID: "Kabupaten/Kota", EN: "Regency/City"},
	LevelKecamatan:     {ID: "Kecamatan", EN: "District"},
	LevelDesaKelurahan: {ID: "Desa/Kelurahan", EN: "Village"},
}

// KindLabels names the kinds of region (jenis).
var KindLabels = map[Kind]label.Text{
	KindProvinsi:  {ID: "Provinsi", EN: "Province"},
	KindKabupaten: {ID: "Kabupaten", EN: "Regency"},
	KindKota:      {ID: "Kota", EN: "City"},
	KindKecamatan: {ID: "Kecamatan", EN: "District"},
	KindDesa:      {ID: "Desa", EN: "Rural village (desa)"},
	KindKelurahan: {ID: "Kelurahan", EN: "Urban village (kelurahan)"},
	KindDesaAdat:  {ID: "Desa adat", EN: "Customary village (desa adat)"},
}
