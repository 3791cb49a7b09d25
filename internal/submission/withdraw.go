package submission

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sinergi-id/sinergi/internal/account"
	"github.com/sinergi-id/sinergi/internal/cooperation"
	"github.com/sinergi-id/sinergi/internal/fault"
)

// Withdrawal is an agreement's withdrawal state as last changed.
type Withdrawal struct {
	AgreementID string
	Withdrawn   bool
	Actor       string
	At          time.Time
	Reason      string
}

// WithdrawalStore keeps withdrawals (coop_agreement_withdrawals).
type WithdrawalStore interface {
	SaveWithdrawal(ctx context.Context, w Withdrawal) error
	// Withdrawal is the newest withdrawal row of an agreement, if any.
	Withdrawal(ctx context.Context, agreementID string) (Withdrawal, bool, error)
	// Withdrawn lists the agreements withdrawn now (their newest row
	// withdraws them), the newest withdrawal first, at most limit.
	Withdrawn(ctx context.Context, limit int) ([]Withdrawal, error)
}

// CurrentAgreements reads published agreements by id (coopch.Store).
type CurrentAgreements interface {
	AgreementsByID(ctx context.Context, ids []string) ([]cooperation.AgreementSummary, error)
}

// Publisher publishes the register's snapshots with the withdrawals and
// restorations recorded since the last publish (etl.Runner.Republish).
type Publisher interface {
	Republish(ctx context.Context) error
}

const maxReasonBytes = 1000

// Withdraw takes an agreement out of every figure: an editor an agreement
// that touches its regions (as published), an admin any. The snapshots are
// updated and published before it returns, so the next answer leaves it
// out; its rows stay, and the withdrawal is in the audit history.
func (s *Service) Withdraw(ctx context.Context, id, reason string) (Withdrawal, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return Withdrawal{}, err
	}
	reason, err = checkReason(reason)
	if err != nil {
		return Withdrawal{}, err
	}
	found, err := s.current.AgreementsByID(ctx, []string{id})
	if err != nil {
		return Withdrawal{}, fmt.Errorf("withdraw: %w", err)
	}
	if len(found) == 0 {
		return Withdrawal{}, fault.NotFound("no agreement %q is published (withdrawn already, or never loaded)", id)
	}
	if p.Role != account.RoleAdmin && !slices.ContainsFunc(found[0].RegionCodes, p.Covers) {
		return Withdrawal{}, fault.Forbidden("agreement %s touches none of your regions (%s): that office or an admin may withdraw it", id, p.ScopeText())
	}
	return s.changeWithdrawal(ctx, p, id, true, reason)
}

// Restore counts a withdrawn agreement again: admins only.
func (s *Service) Restore(ctx context.Context, id, reason string) (Withdrawal, error) {
	if err := account.Require(ctx, account.RoleAdmin); err != nil {
		return Withdrawal{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Withdrawal{}, err
	}
	w, ok, err := s.withdrawals.Withdrawal(ctx, id)
	if err != nil {
		return Withdrawal{}, fmt.Errorf("restore: %w", err)
	}
	if !ok || !w.Withdrawn {
		return Withdrawal{}, fault.NotFound("agreement %q is not withdrawn", id)
	}
	return s.changeWithdrawal(ctx, account.FromContext(ctx), id, false, reason)
}

// MaxWithdrawnListed bounds Withdrawn.
const MaxWithdrawnListed = 1000

// Withdrawn lists the agreements withdrawn now, the newest withdrawal
// first (at most first, 1 to MaxWithdrawnListed): what an admin may
// restore. Admins only.
func (s *Service) Withdrawn(ctx context.Context, first int) ([]Withdrawal, error) {
	if err := account.Require(ctx, account.RoleAdmin); err != nil {
		return nil, err
	}
	if first < 1 || first > MaxWithdrawnListed {
		return nil, fault.Invalid("first must be 1 to %d", MaxWithdrawnListed)
	}
	return s.withdrawals.Withdrawn(ctx, first)
}

func (s *Service) changeWithdrawal(ctx context.Context, p *account.Principal, id string, withdrawn bool, reason string) (Withdrawal, error) {
	w := Withdrawal{AgreementID: id, Withdrawn: withdrawn, Actor: p.Actor(), At: time.Now().UTC().Truncate(time.Second), Reason: reason}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	if err := s.withdrawals.SaveWithdrawal(bg, w); err != nil {
		return Withdrawal{}, fmt.Errorf("withdrawal of %s: %w", id, err)
	}
	action := "agreement.withdraw"
	if !withdrawn {
		action = "agreement.restore"
	}
	if err := s.audit.Record(bg, p.Actor(), action, id, "reason="+fmt.Sprintf("%q", reason)); err != nil {
		return w, err
	}
	if err := s.registers.Republish(bg); err != nil {
		return w, fmt.Errorf("the %s of %s is recorded, but publishing it failed (the next load publishes it): %w", action, id, err)
	}
	s.log.Info(action, "agreement", id, "by", p.Actor(), "reason", reason)
	return w, nil
}

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReasonBytes {
		return "", fault.Invalid("say why (a reason of 1 to %d bytes): it stays in the history", maxReasonBytes)
	}
	return reason, nil
}
