package warm

import "github.com/prometheus/client_golang/prometheus"

// metricsCollector reports a Keeper's rollups and Stats at each scrape, so
// that an operator sees what the rollups cost in memory, which generation
// they are of, and how many store calls they spared SQL.
type metricsCollector struct {
	keeper                         *Keeper
	bytes, generation, loadSeconds *prometheus.Desc
	calls                          *prometheus.Desc
}

// RegisterMetrics registers the keeper's figures on reg, read from its
// current rollups and Stats at each scrape.
func RegisterMetrics(reg prometheus.Registerer, k *Keeper) {
	reg.MustRegister(&metricsCollector{
		keeper: k,
		bytes: prometheus.NewDesc("sinergi_warm_rollups_bytes",
			"Estimated bytes the current warm rollups hold (0 before the first load).", nil, nil),
		generation: prometheus.NewDesc("sinergi_warm_rollups_generation",
			"The published generation the current warm rollups are of (a time in nanoseconds, to about 256 ns as a float; 0 before the first load).", nil, nil),
		loadSeconds: prometheus.NewDesc("sinergi_warm_rollups_load_seconds",
			"How long the current warm rollups took to load.", nil, nil),
		calls: prometheus.NewDesc("sinergi_warm_store_calls_total",
			"Store calls of the dashboards' questions: answered from the rollups, declined (a question they do not hold), or cold (no rollups of the request's generation).",
			[]string{"outcome"}, nil),
	})
}

func (c *metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.bytes, c.generation, c.loadSeconds, c.calls} {
		ch <- d
	}
}

func (c *metricsCollector) Collect(ch chan<- prometheus.Metric) {
	var bytes, generation, seconds float64
	if r := c.keeper.Current(); r != nil {
		bytes, generation, seconds = float64(r.Bytes()), float64(r.Generation), r.Took.Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, bytes)
	ch <- prometheus.MustNewConstMetric(c.generation, prometheus.GaugeValue, generation)
	ch <- prometheus.MustNewConstMetric(c.loadSeconds, prometheus.GaugeValue, seconds)
	s := c.keeper.Stats()
	ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(s.Answered), "answered")
	ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(s.Declined), "declined")
	ch <- prometheus.MustNewConstMetric(c.calls, prometheus.CounterValue, float64(s.Cold), "cold")
}
