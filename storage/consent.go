package storage

import (
	"encoding/json"
	"fmt"

	"icbot/bot"
)

// nested returns the bucket at path under top, creating it when create is
// set; nil when absent and not created.
func nested(top *bucket, create bool, path ...string) (*bucket, error) {
	b := top
	for _, p := range path {
		next := b.Bucket([]byte(p))
		if next == nil {
			if !create {
				return nil, nil
			}
			var err error
			if next, err = b.CreateBucket([]byte(p)); err != nil {
				return nil, bot.Internal(fmt.Errorf("storage: creating bucket %s: %w", p, err))
			}
		}
		b = next
	}
	return b, nil
}

// Boundaries returns the latest version of a performer's boundaries.
func (t *tx) Boundaries(scene bot.SceneID, performer bot.UserID) (bot.Boundaries, error) {
	vb, err := t.boundariesBucket(scene, performer, false)
	if err != nil {
		return bot.Boundaries{}, err
	}
	if vb != nil {
		if k, v := vb.Cursor().Last(); k != nil {
			return t.decodeBoundaries(scene, performer, k, v)
		}
	}
	return bot.Boundaries{}, notFound("no boundaries of %s for scene %s", performer, scene)
}

// BoundariesHistory lists every version, oldest first.
func (t *tx) BoundariesHistory(scene bot.SceneID, performer bot.UserID) ([]bot.Boundaries, error) {
	vb, err := t.boundariesBucket(scene, performer, false)
	if err != nil || vb == nil {
		return nil, err
	}
	var out []bot.Boundaries
	err = vb.ForEach(func(k, v []byte) error {
		b, err := t.decodeBoundaries(scene, performer, k, v)
		out = append(out, b)
		return err
	})
	return out, err
}

// AddBoundaries stores a new version, which must follow the latest.
func (t *tx) AddBoundaries(b bot.Boundaries) error {
	if err := required("boundaries' scene", string(b.Scene)); err != nil {
		return err
	}
	if err := required("boundaries' performer", string(b.Performer)); err != nil {
		return err
	}
	vb, err := t.boundariesBucket(b.Scene, b.Performer, true)
	if err != nil {
		return err
	}
	last := 0
	if k, _ := vb.Cursor().Last(); k != nil {
		last = int(beUint(k))
	}
	if b.Version != last+1 {
		return bot.Internal(fmt.Errorf("storage: boundaries version %d does not follow %d", b.Version, last))
	}
	private, err := json.Marshal(boundariesPrivateOf(b))
	if err != nil {
		return bot.Internal(err)
	}
	r := boundariesRecord{Scene: string(b.Scene), Performer: string(b.Performer), Version: b.Version, At: utc(b.At), Private: private}
	kr, err := t.keys()
	if err != nil {
		return err
	}
	if err := t.codec.sealBoundaries(&r, kr); err != nil {
		return sealed(err)
	}
	return put(vb, u64key(uint64(b.Version)), r, "boundaries")
}

func (t *tx) boundariesBucket(scene bot.SceneID, performer bot.UserID, create bool) (*bucket, error) {
	top, err := t.bucket(bucketBounds)
	if err != nil {
		return nil, err
	}
	return nested(top, create, string(scene), string(performer))
}

// decodeBoundaries decodes the version stored under key k of the
// performer's bucket, and opens its private part.
func (t *tx) decodeBoundaries(scene bot.SceneID, performer bot.UserID, k, v []byte) (bot.Boundaries, error) {
	var r boundariesRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return bot.Boundaries{}, bot.Internal(fmt.Errorf("storage: decoding boundaries: %w", err))
	}
	kr, err := t.keys()
	if err != nil {
		return bot.Boundaries{}, err
	}
	if err := t.codec.openBoundaries(&r, string(scene), string(performer), int(beUint(k)), kr); err != nil {
		return bot.Boundaries{}, sealed(err)
	}
	b := bot.Boundaries{Scene: bot.SceneID(r.Scene), Performer: bot.UserID(r.Performer), Version: r.Version, At: r.At}
	var p boundariesPrivate
	if err := json.Unmarshal(r.Private, &p); err != nil {
		return bot.Boundaries{}, bot.Internal(fmt.Errorf("storage: decoding boundaries of %s: %w", r.Performer, err))
	}
	p.into(&b)
	return b, nil
}

// Rider returns a performer's rider for a scene.
func (t *tx) Rider(scene bot.SceneID, performer bot.UserID) (bot.Rider, error) {
	top, err := t.bucket(bucketRiders)
	if err != nil {
		return bot.Rider{}, err
	}
	sb, err := nested(top, false, string(scene))
	if err != nil {
		return bot.Rider{}, err
	}
	if sb != nil {
		r, ok, err := get[riderRecord](sb, []byte(performer), "rider")
		if err != nil {
			return bot.Rider{}, err
		}
		if ok {
			kr, err := t.keys()
			if err != nil {
				return bot.Rider{}, err
			}
			if err := t.codec.openRider(&r, string(scene), string(performer), kr); err != nil {
				return bot.Rider{}, sealed(err)
			}
			return r.bot(), nil
		}
	}
	return bot.Rider{}, notFound("no rider of %s for scene %s", performer, scene)
}

// Riders lists a scene's riders by performer id.
func (t *tx) Riders(scene bot.SceneID) ([]bot.Rider, error) {
	top, err := t.bucket(bucketRiders)
	if err != nil {
		return nil, err
	}
	sb, err := nested(top, false, string(scene))
	if err != nil || sb == nil {
		return nil, err
	}
	kr, err := t.keys()
	if err != nil {
		return nil, err
	}
	return listOpen(sb, "rider", func(k []byte, r *riderRecord) error { return t.codec.openRider(r, string(scene), string(k), kr) }, riderRecord.bot)
}

// PutRider adds or replaces a rider.
func (t *tx) PutRider(r bot.Rider) error {
	if err := required("rider's scene", string(r.Scene)); err != nil {
		return err
	}
	if err := required("rider's performer", string(r.Performer)); err != nil {
		return err
	}
	top, err := t.bucket(bucketRiders)
	if err != nil {
		return err
	}
	sb, err := nested(top, true, string(r.Scene))
	if err != nil {
		return err
	}
	rec := riderToRecord(r)
	kr, err := t.keys()
	if err != nil {
		return err
	}
	if err := t.codec.sealRider(&rec, kr); err != nil {
		return sealed(err)
	}
	return put(sb, []byte(r.Performer), rec, "rider")
}

// deleteConsent removes a scene's boundaries and riders.
func (t *tx) deleteConsent(scene bot.SceneID) error {
	for _, name := range [][]byte{bucketBounds, bucketRiders} {
		top, err := t.bucket(name)
		if err != nil {
			return err
		}
		if top.Bucket([]byte(scene)) != nil {
			if err := top.DeleteBucket([]byte(scene)); err != nil {
				return bot.Internal(fmt.Errorf("storage: deleting %s of scene %s: %w", name, scene, err))
			}
		}
	}
	return nil
}
