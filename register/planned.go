package register

// The states of a published processing as the public reads them.
const (
	StatePlanned = "planned" // announced, its planned start not reached yet
	StateActive  = "active"
)

// PublicState is the state of a published processing on today
// (YYYY-MM-DD, Europe/Zurich: Service.Today): planned until its planned
// start, active from that day. It is decided when read, never stored, so
// no timer is needed and every instance agrees; what keeps public bytes
// must key them on it (or on the day).
func PublicState(plannedStart, today string) string {
	if plannedStart != "" && today < plannedStart {
		return StatePlanned
	}
	return StateActive
}

// State is p's PublicState on today.
func (p *PublicProcessing) State(today string) string { return PublicState(p.PlannedStart, today) }

// Planned reports whether p is planned on today.
func (p *PublicProcessing) Planned(today string) bool { return p.State(today) == StatePlanned }

// WithState returns the public JSON stored for a publication (data) as
// served with its state on today: the stored bytes themselves for a
// processing published without a planned start, else the stored object
// with "state" added as its last member. The transparency log fingerprints
// the stored bytes; a served body is brought back to them by dropping that
// last member (translog.TrimServed).
func WithState(data []byte, plannedStart, today string) []byte {
	if plannedStart == "" || len(data) < 2 || data[len(data)-1] != '}' {
		return data
	}
	st := PublicState(plannedStart, today)
	out := make([]byte, 0, len(data)+len(st)+12)
	out = append(out, data[:len(data)-1]...)
	if len(data) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"state":"`...)
	out = append(out, st...)
	return append(out, `"}`...)
}
