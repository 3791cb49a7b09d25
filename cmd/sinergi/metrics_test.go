package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sinergi-id/sinergi/etl"
	"github.com/sinergi-id/sinergi/internal/realdata"
)

// TestMetricsAfterALoadAndRequests scrapes the operator address's /metrics
// after a load and a few requests, as Prometheus would, and checks the
// figures, not only the names.
func TestMetricsAfterALoadAndRequests(t *testing.T) {
	ctx := t.Context()
	a := openTestApp(t, nil) // reading as an anonymous viewer: the requests carry no key
	if err := a.openServing(ctx); err != nil {
		t.Fatal(err)
	}
	dir := realdata.Dir(t)
	res, err := a.runner().Load(ctx, etl.DatasetRegions, filepath.Join(dir, "kaltim_wilayah_kemendagri_2025.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.runner().Load(ctx, etl.DatasetIDM, filepath.Join("..", "..", "etl", "testdata", "missing-file.csv")); err == nil {
		t.Fatal("a missing file loaded")
	}
	api := httptest.NewServer(a.httpHandler(newResultCache()))
	defer api.Close()
	ask := func(body string) {
		t.Helper()
		resp, err := http.Post(api.URL+"/graphql", "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	ask(`{"query":"query Years { idmYears }"}`)
	ask(`{"query":"query Years { idmYears }"}`) // from the result cache
	ask(`{"query":"query Broken { nosuchfield }","operationName":"Broken"}`)

	operator := httptest.NewServer(operatorMux(a.telemetry.metricsHandler()))
	defer operator.Close()
	resp, err := http.Get(operator.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		f := families[name]
		if f == nil {
			t.Fatalf("no %s in the scrape", name)
		}
	metrics:
		for _, m := range f.GetMetric() {
			for i := 0; i < len(labels); i += 2 {
				if labelValue(m, labels[i]) != labels[i+1] {
					continue metrics
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
		t.Fatalf("no %s%q in the scrape", name, labels)
		return 0
	}
	regions := res.Runs[0]
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"sinergi_etl_runs_total", []string{"dataset", "regions", "outcome", "succeeded"}, 1},
		{"sinergi_etl_runs_total", []string{"dataset", "idm", "outcome", "failed"}, 1},
		{"sinergi_etl_rows_total", []string{"dataset", "regions", "rows", "read"}, float64(regions.RowsRead)},
		{"sinergi_etl_rows_total", []string{"dataset", "regions", "rows", "loaded"}, float64(regions.RowsLoaded)},
		{"sinergi_etl_rows_total", []string{"dataset", "regions", "rows", "rejected"}, float64(regions.RowsRejected)},
		{"sinergi_etl_run_duration_seconds", []string{"dataset", "regions"}, 1},
		{"sinergi_graphql_operations_total", []string{"operation", "Years", "outcome", "ok"}, 1},
		{"sinergi_graphql_operations_total", []string{"operation", "Broken", "outcome", "request_error"}, 1},
		{"sinergi_graphql_operation_duration_seconds", []string{"operation", "Years", "outcome", "ok"}, 1},
		{"sinergi_graphql_operations_in_flight", nil, 0},
		{"sinergi_graphql_operations_queued", nil, 0},
		{"sinergi_graphql_admission_refusals_total", nil, 0},
		{"sinergi_result_cache_hits_total", nil, 1},
		{"sinergi_result_cache_misses_total", nil, 2},
		{"sinergi_result_cache_entries", nil, 1},
		{"sinergi_clickhouse_statements_total", []string{"statement", "idmch.Store.Years", "kind", "read", "outcome", "ok"}, 1},
		{"sinergi_clickhouse_statements_total", []string{"statement", "regionch.Store.InsertRows", "kind", "insert", "outcome", "ok"}, 1},
	} {
		if got := value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%q = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if regions.RowsLoaded == 0 {
		t.Fatal("the regions loaded no rows: the row counts prove nothing")
	}
	if age := value("sinergi_dataset_last_success_age_seconds", "dataset", "regions"); age < 0 || age > 600 {
		t.Errorf("the regions' age is %v s, want the few seconds since the load", age)
	}
	// The one uncached Years went through the warm rollups' store: answered
	// if their background load had ended, cold if not.
	if n := value("sinergi_warm_store_calls_total", "outcome", "answered") + value("sinergi_warm_store_calls_total", "outcome", "cold"); n != 1 {
		t.Errorf("the warm rollups' store saw %v calls of idmYears, want 1", n)
	}
	if b := value("sinergi_result_cache_bytes"); b <= 0 {
		t.Errorf("the result cache holds %v bytes with one answer", b)
	}
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
