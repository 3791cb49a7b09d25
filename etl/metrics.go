package etl

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// Metrics are what the runner reports of its runs. Register them once
// (NewMetrics) and hand them to each Runner (Instrument).
type Metrics struct {
	runs     *prometheus.CounterVec
	rows     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the ETL's run metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_etl_runs_total",
			Help: "ETL runs finished, by dataset and outcome (succeeded, failed; loaded: committed or not is settled by the next load).",
		}, []string{"dataset", "outcome"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_etl_rows_total",
			Help: "Rows of finished ETL runs, by dataset and what became of them (read, loaded, rejected).",
		}, []string{"dataset", "rows"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sinergi_etl_run_duration_seconds",
			Help:    "Time from a run's start to its end (its snapshots published, or its failure), by dataset.",
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800},
		}, []string{"dataset"}),
	}
	reg.MustRegister(m.runs, m.rows, m.duration)
	return m
}

// Instrument reports the runner's runs to m.
func (r *Runner) Instrument(m *Metrics) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = m
}

// observe records a finished run that started at start.
func (m *Metrics) observe(run ingest.Run, start, end time.Time) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(run.Dataset, string(run.Status)).Inc()
	m.rows.WithLabelValues(run.Dataset, "read").Add(float64(run.RowsRead))
	m.rows.WithLabelValues(run.Dataset, "loaded").Add(float64(run.RowsLoaded))
	m.rows.WithLabelValues(run.Dataset, "rejected").Add(float64(run.RowsRejected))
	m.duration.WithLabelValues(run.Dataset).Observe(end.Sub(start).Seconds())
}

// RegisterFreshnessMetrics registers the age of each dataset's last
// successful load that loaded rows (ingest.Freshness: a file refused whole
// changed nothing), read from runs at each scrape (so that loads by any
// process count): what an alert on stale data needs.
//
//	sinergi_dataset_last_success_timestamp_seconds{dataset}
//	sinergi_dataset_last_success_age_seconds{dataset}
func RegisterFreshnessMetrics(reg prometheus.Registerer, runs ingest.Store) {
	reg.MustRegister(&freshnessCollector{runs: runs, now: time.Now,
		when: prometheus.NewDesc("sinergi_dataset_last_success_timestamp_seconds",
			"When the last successful load of the dataset finished (Unix time).", []string{"dataset"}, nil),
		age: prometheus.NewDesc("sinergi_dataset_last_success_age_seconds",
			"Seconds since the last successful load of the dataset finished.", []string{"dataset"}, nil),
	})
}

type freshnessCollector struct {
	runs      ingest.Store
	now       func() time.Time
	when, age *prometheus.Desc
}

func (c *freshnessCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.when
	ch <- c.age
}

// freshnessTimeout bounds the read a scrape makes.
const freshnessTimeout = 5 * time.Second

func (c *freshnessCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), freshnessTimeout)
	defer cancel()
	fresh, err := c.runs.Freshness(ctx)
	if err != nil {
		// The scrape reports the error; the other metrics still go out.
		ch <- prometheus.NewInvalidMetric(c.age, err)
		return
	}
	now := c.now()
	for _, f := range fresh {
		ch <- prometheus.MustNewConstMetric(c.when, prometheus.GaugeValue, float64(f.Last.FinishedAt.Unix()), f.Dataset)
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, now.Sub(f.Last.FinishedAt).Seconds(), f.Dataset)
	}
}
