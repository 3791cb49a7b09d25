package graph

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are what the GraphQL endpoint reports: operations by name and
// outcome with their latency, the operations running and waiting, and the
// admission refusals. Register them once (NewMetrics) and hand them to
// NewHandler.
type Metrics struct {
	operations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inFlight   prometheus.Gauge
	queued     prometheus.Gauge
	refused    prometheus.Counter
	names      operationNames
}

// maxOperationNames bounds the operation names the metrics tell apart:
// names come from clients, and each is a series. Beyond it, operations
// count as "other".
const maxOperationNames = 100

// NewMetrics registers the endpoint's metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_graphql_operations_total",
			Help: "GraphQL operations answered, by operation name and outcome (ok, error: executed with errors, request_error, too_large, not_allowed, busy: refused by admission, internal).",
		}, []string{"operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sinergi_graphql_operation_duration_seconds",
			Help:    "Time from an operation's arrival (before admission) to its result, by operation name and outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"operation", "outcome"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sinergi_graphql_operations_in_flight",
			Help: "GraphQL operations executing now (at most graphql.max_in_flight).",
		}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sinergi_graphql_operations_queued",
			Help: "GraphQL operations waiting for an execution slot now (at most graphql.max_queued).",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sinergi_graphql_admission_refusals_total",
			Help: "Operations turned away with 503 because the queue was full or the wait ran out.",
		}),
	}
	reg.MustRegister(m.operations, m.duration, m.inFlight, m.queued, m.refused)
	return m
}

// observe records one operation's outcome.
func (m *Metrics) observe(name string, res operationResult, start time.Time) {
	outcome := res.outcomeLabel()
	name = m.names.label(name)
	m.operations.WithLabelValues(name, outcome).Inc()
	m.duration.WithLabelValues(name, outcome).Observe(time.Since(start).Seconds())
}

func (res operationResult) outcomeLabel() string {
	switch res.outcome {
	case outcomeExecuted:
		if len(res.errors) > 0 {
			return "error"
		}
		return "ok"
	case outcomeRequestError:
		return "request_error"
	case outcomeTooLarge:
		return "too_large"
	case outcomeNotAllowed:
		return "not_allowed"
	case outcomeBusy:
		return "busy"
	}
	return "internal"
}

// operationNames keeps the first maxOperationNames names seen.
type operationNames struct {
	mu    sync.Mutex
	known map[string]bool
}

func (n *operationNames) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.known[name] {
		return name
	}
	if len(n.known) >= maxOperationNames {
		return "other"
	}
	if n.known == nil {
		n.known = map[string]bool{}
	}
	n.known[name] = true
	return name
}

// cacheCollector reports a ResultCache's Stats at each scrape.
type cacheCollector struct {
	cache                                *ResultCache
	hits, misses, evictions, bytes, size *prometheus.Desc
}

// RegisterCacheMetrics registers the result cache's figures on reg, read
// from cache.Stats at each scrape.
func RegisterCacheMetrics(reg prometheus.Registerer, cache *ResultCache) {
	reg.MustRegister(&cacheCollector{
		cache:     cache,
		hits:      prometheus.NewDesc("sinergi_result_cache_hits_total", "Requests answered from the result cache.", nil, nil),
		misses:    prometheus.NewDesc("sinergi_result_cache_misses_total", "Cacheable requests the result cache did not hold.", nil, nil),
		evictions: prometheus.NewDesc("sinergi_result_cache_evictions_total", "Answers dropped from the result cache to make room.", nil, nil),
		bytes:     prometheus.NewDesc("sinergi_result_cache_bytes", "Bytes of compressed answers the result cache holds.", nil, nil),
		size:      prometheus.NewDesc("sinergi_result_cache_entries", "Answers the result cache holds.", nil, nil),
	})
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.evictions, c.bytes, c.size} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.cache.Stats()
	ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(s.Hits))
	ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(s.Misses))
	ch <- prometheus.MustNewConstMetric(c.evictions, prometheus.CounterValue, float64(s.Evictions))
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(s.Bytes))
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(s.Entries))
}
