package clickhouse

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// StatementMetrics is a hook counting statements by name and outcome, with
// their latency, registered on reg:
//
//	sinergi_clickhouse_statements_total{statement, kind, outcome}
//	sinergi_clickhouse_statement_duration_seconds{statement, kind}
func StatementMetrics(reg prometheus.Registerer) StatementHook {
	total := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sinergi_clickhouse_statements_total",
		Help: "ClickHouse statements run, by statement (the Go function that ran it), kind (read, write, insert) and outcome (ok, error).",
	}, []string{"statement", "kind", "outcome"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "sinergi_clickhouse_statement_duration_seconds",
		Help:    "Time from a ClickHouse statement's start to its end (a read's rows closed, an insert sent).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
	}, []string{"statement", "kind"})
	reg.MustRegister(total, duration)
	return func(ctx context.Context, name, kind string) (context.Context, func(error)) {
		start := time.Now()
		return ctx, func(err error) {
			outcome := "ok"
			if err != nil {
				outcome = "error"
			}
			total.WithLabelValues(name, kind, outcome).Inc()
			duration.WithLabelValues(name, kind).Observe(time.Since(start).Seconds())
		}
	}
}

// StatementTraces is a hook tracing each statement as a client span named
// after it, a child of the operation that ran it. The SQL is not recorded:
// values are bound, but a span should say what ran, not carry the query.
func StatementTraces(tp trace.TracerProvider) StatementHook {
	tracer := tp.Tracer("github.com/sinergi-id/sinergi/internal/clickhouse")
	return func(ctx context.Context, name, kind string) (context.Context, func(error)) {
		ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system", "clickhouse"), attribute.String("db.operation", kind)))
		return ctx, func(err error) {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, "statement failed")
			}
			span.End()
		}
	}
}
