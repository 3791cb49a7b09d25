package main

import (
	"log/slog"
	"slices"
	"testing"
)

// The configuration checks jobs against datasetNames before anything
// connects: the names must be those of the datasets newRunner wires.
func TestDatasetNamesAreTheWiredDatasets(t *testing.T) {
	if got := newRunner(nil, nil, slog.Default()).Datasets(); !slices.Equal(got, datasetNames) {
		t.Fatalf("newRunner wires %v, datasetNames says %v", got, datasetNames)
	}
}
