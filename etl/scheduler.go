package etl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"github.com/sinergi-id/sinergi/internal/ingest"
)

// Job is a configured, scheduled load.
type Job struct {
	// Name identifies the job in logs; defaults to the dataset.
	Name    string `yaml:"name"`
	Dataset string `yaml:"dataset"`
	// Source is a file path or a glob; every matching file is a run.
	Source string `yaml:"source"`
	// Schedule is a cron expression ("0 2 * * *") or an interval ("15m").
	Schedule string `yaml:"schedule"`
}

// Validate checks a job's fields, naming the one that is wrong; datasets
// are the names of those that can be loaded.
func (j Job) Validate(datasets []string) error {
	if !slices.Contains(datasets, j.Dataset) {
		return fmt.Errorf("job %q: dataset %q is not one of %v", j.Name, j.Dataset, datasets)
	}
	if j.Source == "" {
		return fmt.Errorf("job %q: source is empty", j.Name)
	}
	if _, err := filepath.Match(j.Source, ""); err != nil {
		return fmt.Errorf("job %q: source %q is not a valid glob: %w", j.Name, j.Source, err)
	}
	if _, err := j.definition(); err != nil {
		return fmt.Errorf("job %q: schedule %q: %w", j.Name, j.Schedule, err)
	}
	return nil
}

func (j Job) definition() (gocron.JobDefinition, error) {
	if d, err := time.ParseDuration(j.Schedule); err == nil {
		if d < time.Second {
			return nil, errors.New("interval must be at least 1s")
		}
		return gocron.DurationJob(d), nil
	}
	if len(strings.Fields(j.Schedule)) != 5 {
		return nil, errors.New(`want a 5-field cron expression ("0 2 * * *") or an interval ("15m")`)
	}
	return gocron.CronJob(j.Schedule, false), nil
}

// Scheduler runs the configured jobs with gocron: never two loads at once,
// unchanged sources skipped by fingerprint, failures logged and recorded
// while the scheduler keeps going.
type Scheduler struct {
	sched   gocron.Scheduler
	runner  *Runner
	runs    ingest.Store
	jobs    []Job
	log     *slog.Logger
	elector Elector
	stop    context.CancelFunc
	waiting chan struct{} // closed once the wait for leadership ends
}

// Elector decides which of several schedulers runs the jobs (gocron's
// distributed elector; coordination.Elector in a cluster): IsLeader
// returns nil for the one that leads.
type Elector interface {
	gocron.Elector
	// WaitLeader returns once this process leads, or ctx's error.
	WaitLeader(ctx context.Context, interval time.Duration) error
}

// SchedulerOption changes how a Scheduler runs.
type SchedulerOption func(*Scheduler)

// WithElector runs the jobs only while elector says this process leads:
// several `sinergi etl` may run, one loads, and a standby takes over when
// the leader is gone.
func WithElector(elector Elector) SchedulerOption {
	return func(s *Scheduler) { s.elector = elector }
}

// NewScheduler validates the jobs and prepares a scheduler; Start starts it.
func NewScheduler(runner *Runner, runs ingest.Store, jobs []Job, log *slog.Logger, opts ...SchedulerOption) (*Scheduler, error) {
	jobs = slices.Clone(jobs)
	for i := range jobs {
		if jobs[i].Name == "" {
			jobs[i].Name = jobs[i].Dataset
		}
		if err := jobs[i].Validate(runner.Datasets()); err != nil {
			return nil, err
		}
	}
	// In the runner's order of datasets: IDM rows are checked against the
	// regions.
	order := runner.Datasets()
	sort.SliceStable(jobs, func(a, b int) bool {
		return slices.Index(order, jobs[a].Dataset) < slices.Index(order, jobs[b].Dataset)
	})
	s := &Scheduler{runner: runner, runs: runs, jobs: jobs, log: log}
	for _, o := range opts {
		o(s)
	}
	schedOpts := []gocron.SchedulerOption{
		gocron.WithLogger(log.With("component", "gocron")),
		// One load at a time across all jobs; later ones wait their turn.
		gocron.WithLimitConcurrentJobs(1, gocron.LimitModeWait),
		gocron.WithStopTimeout(time.Minute),
	}
	if s.elector != nil {
		schedOpts = append(schedOpts, gocron.WithDistributedElector(s.elector))
	}
	sched, err := gocron.NewScheduler(schedOpts...)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	s.sched = sched
	for _, j := range jobs {
		def, _ := j.definition()
		_, err := sched.NewJob(def, gocron.NewTask(s.RunJob, j),
			gocron.WithName(j.Name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithEventListeners(gocron.AfterJobRunsWithError(func(_ uuid.UUID, name string, err error) {
				log.Error("etl job failed", "job", name, "err", err)
			})),
		)
		if err != nil {
			return nil, fmt.Errorf("scheduler: job %q: %w", j.Name, err)
		}
	}
	return s, nil
}

// Start runs every job once, in dataset order, then starts the schedule.
// With an elector, a standby starts the schedule (whose runs the elector
// skips while another leads) and runs every job once when it comes to
// lead.
func (s *Scheduler) Start(ctx context.Context) {
	if s.elector == nil || s.elector.IsLeader(ctx) == nil {
		s.runAll(ctx)
		s.sched.Start()
		s.log.Info("etl scheduler started", "jobs", len(s.jobs))
		return
	}
	s.sched.Start()
	s.log.Info("etl scheduler started as a standby: another process leads", "jobs", len(s.jobs))
	ctx, s.stop = context.WithCancel(ctx)
	s.waiting = make(chan struct{})
	go func() {
		defer close(s.waiting)
		if err := s.elector.WaitLeader(ctx, time.Second); err != nil {
			return
		}
		s.log.Info("this etl scheduler leads now: running every job once")
		s.runAll(ctx)
	}()
}

func (s *Scheduler) runAll(ctx context.Context) {
	for _, j := range s.jobs {
		if err := s.RunJob(ctx, j); err != nil {
			s.log.Error("etl job failed", "job", j.Name, "err", err)
		}
	}
}

// Shutdown stops scheduling and waits for a running load to finish.
func (s *Scheduler) Shutdown() error {
	if s.stop != nil {
		s.stop()
		<-s.waiting
	}
	if err := s.sched.Shutdown(); err != nil {
		return fmt.Errorf("scheduler shutdown: %w", err)
	}
	return nil
}

// RunJob loads the job's files whose content changed since their last
// successful run.
func (s *Scheduler) RunJob(ctx context.Context, j Job) error {
	files, err := filepath.Glob(j.Source)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("job %q: no file matches %s", j.Name, j.Source)
	}
	sort.Strings(files)
	sources, err := s.runner.Sources(j.Dataset, files)
	if err != nil {
		return fmt.Errorf("job %q: %w", j.Name, err)
	}
	var changed []string
	for _, src := range sources {
		fp, err := Fingerprint(src...)
		if err != nil {
			return err
		}
		last, ok, err := s.runs.LastSucceeded(ctx, j.Dataset, SourceName(src...))
		if err != nil {
			return fmt.Errorf("job %q: %w", j.Name, err)
		}
		if ok && last.Fingerprint == fp {
			s.log.Debug("source unchanged, skipped", "job", j.Name, "source", SourceName(src...))
			continue
		}
		changed = append(changed, src...)
	}
	if len(changed) == 0 {
		return nil
	}
	_, err = s.runner.Load(ctx, j.Dataset, changed...)
	return err
}
