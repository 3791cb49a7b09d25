package idm

import "github.com/sinergi-id/sinergi/internal/label"

// StatusLabels names every status as Kemendesa publishes it.
var StatusLabels = map[Status]label.Text{
	StatusMandiri:          {ID: "Mandiri", EN: "Independent"},
	StatusMaju:             {ID: "Maju", EN: "Advanced"},
	StatusBerkembang:       {ID: "Berkembang", EN: "Developing"},
	StatusTertinggal:       {ID: "Tertinggal", EN: "Underdeveloped"},
	StatusSangatTertinggal: {ID: "Sangat Tertinggal", EN: "Very underdeveloped"},
}
