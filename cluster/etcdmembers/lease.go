package etcdmembers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// errLeaseNotFound is etcd's answer for an expired or revoked lease.
var errLeaseNotFound = rpctypes.ErrLeaseNotFound

// retryPause spaces keep-alive attempts that fail fast (etcd refusing
// connections), so a down etcd costs a few attempts per TTL, not a busy loop.
const retryPause = 50 * time.Millisecond

// runKeepAlive is the keep-alive goroutine: it renews the lease every quarter
// TTL until Shutdown or until the lease is lost, and then (outside the wait
// group, so OnLeaseLost may call Shutdown) reports the loss.
func (p *Provider) runKeepAlive() {
	err := p.keepAlive()
	lost := err != nil && !p.stopping.Load()
	if lost {
		p.fence.close()
		p.log.WithError(err).WithField("fenced_from", p.fence.closedSince().Format(time.RFC3339Nano)).Error("etcd lease lost")
	}
	p.wg.Done()
	if lost {
		p.cfg.OnLeaseLost(err)
	}
}

// keepAlive renews the lease until it returns: nil at Shutdown, an error
// wrapping ErrLeaseLost when etcd says the lease is gone, when the watch saw
// this node's key deleted, or when no keep-alive sent within the last TTL was
// acknowledged (the lease may have expired: it is never trusted longer).
func (p *Provider) keepAlive() error {
	for {
		lastSent := p.lastAckSent()
		expiry := lastSent.Add(p.ttl)
		if err := p.sleepUntil(lastSent.Add(p.ttl / 4)); err != nil {
			return err
		}
		for {
			sent := time.Now()
			if !sent.Before(expiry) {
				return fmt.Errorf("%w: no keep-alive acknowledged for %v (TTL %v)",
					ErrLeaseLost, sent.Sub(lastSent).Round(time.Millisecond), p.ttl)
			}
			ctx, cancel := context.WithDeadline(p.kaCtx, expiry)
			err := p.keepAliveOnce(ctx, p.lease)
			cancel()
			if cause := p.ended(); cause != nil || p.stopping.Load() {
				return cause
			}
			if err == nil {
				p.fence.ack(sent)
				break
			}
			if errors.Is(err, errLeaseNotFound) {
				return fmt.Errorf("%w: etcd: %v", ErrLeaseLost, err)
			}
			p.log.WithError(err).WithField("unacknowledged", time.Since(lastSent).Round(time.Millisecond)).
				Warn("etcd keep-alive failed; retrying until the TTL")
			if err := p.sleepUntil(minTime(time.Now().Add(retryPause), expiry)); err != nil {
				return err
			}
		}
	}
}

// lastAckSent is when the last acknowledged keep-alive (or the grant) was sent.
func (p *Provider) lastAckSent() time.Time {
	return p.fence.start.Add(time.Duration(p.fence.ackSent.Load()))
}

// sleepUntil waits for t; it returns early with ended's answer when the
// keep-alive context ends (nil at Shutdown).
func (p *Provider) sleepUntil(t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-p.kaCtx.Done():
		return p.endedOrStop()
	}
}

// ended returns the loss that ended the keep-alive context, if one did.
func (p *Provider) ended() error {
	if cause := context.Cause(p.kaCtx); errors.Is(cause, ErrLeaseLost) {
		return cause
	}
	return nil
}

// endedOrStop is ended for a context known to be done: a loss, or errStopped.
func (p *Provider) endedOrStop() error {
	if cause := p.ended(); cause != nil {
		return cause
	}
	return errStopped
}

// errStopped ends the keep-alive at Shutdown; runKeepAlive does not report it.
var errStopped = errors.New("etcd provider stopped")

// lose ends the keep-alive with a loss found elsewhere (the watch), and shuts
// the fence at once.
func (p *Provider) lose(err error) {
	if p.stopping.Load() {
		return
	}
	p.fence.close()
	p.kaCancel(err)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
