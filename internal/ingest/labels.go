package ingest

import "github.com/sinergi-id/sinergi/internal/label"

// StatusLabels names the states of a run.
var StatusLabels = map[Status]label.Text{
	StatusRunning:   {ID: "Sedang berjalan", EN: "Running"},
	StatusLoaded:    {ID: "Dimuat", EN: "Loaded"},
	StatusSucceeded: {ID: "Berhasil", EN: "Succeeded"},
	StatusFailed:    {ID: "Gagal", EN: "Failed"},
	StatusWithdrawn: {ID: "Ditarik", EN: "Withdrawn"},
}
