package storage

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// postRecord is one entry of the audience ledger (posts/<channel>/<seq>).
// It holds what kind of information a post carries and about whom, never
// its text.
type postRecord struct {
	Channel      string    `json:"channel"`
	Seq          uint64    `json:"seq"`
	Class        int       `json:"class"`
	Scene        string    `json:"scene,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	What         string    `json:"what,omitempty"`
	Ref          string    `json:"ref,omitempty"`
	Delivery     uint64    `json:"delivery,omitempty"`
	Tried        bool      `json:"tried,omitempty"`
	At           time.Time `json:"at,omitzero"`
	Retracted    time.Time `json:"retracted,omitzero"`
	RetractedFor string    `json:"retracted_for,omitempty"`
}

func postToRecord(p bot.Post) postRecord {
	return postRecord{Channel: string(p.Channel), Seq: p.Seq, Class: int(p.Class), Scene: string(p.Scene),
		Subject: string(p.Subject), What: p.What, Ref: string(p.Ref), Delivery: p.Delivery, Tried: p.Tried, At: p.At.UTC(),
		Retracted: p.Retracted.UTC(), RetractedFor: p.RetractedFor}
}

func (r postRecord) bot() bot.Post {
	return bot.Post{Channel: bot.ChannelID(r.Channel), Seq: r.Seq, Class: bot.Class(r.Class), Scene: bot.SceneID(r.Scene),
		Subject: bot.UserID(r.Subject), What: r.What, Ref: bot.PostRef(r.Ref), Delivery: r.Delivery, Tried: r.Tried, At: r.At,
		Retracted: r.Retracted, RetractedFor: r.RetractedFor}
}

// postsOf returns a channel's nested bucket of posts; nil when it has
// none and create is false.
func (t *tx) postsOf(ch bot.ChannelID, create bool) (*bucket, error) {
	if err := required("post channel", string(ch)); err != nil {
		return nil, err
	}
	b, err := t.bucket(bucketPosts)
	if err != nil {
		return nil, err
	}
	if !create {
		return b.Bucket([]byte(ch)), nil
	}
	c, err := b.CreateBucketIfNotExists([]byte(ch))
	if err != nil {
		return nil, bot.Internal(fmt.Errorf("storage: the posts of channel %s: %w", ch, err))
	}
	return c, nil
}

// AddPost records p under the channel's next number and returns it.
func (t *tx) AddPost(p bot.Post) (uint64, error) {
	b, err := t.postsOf(p.Channel, true)
	if err != nil {
		return 0, err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, bot.Internal(fmt.Errorf("storage: numbering a post: %w", err))
	}
	p.Seq = seq
	return seq, put(b, u64key(seq), postToRecord(p), "post")
}

// Posts lists a channel's posts, oldest first.
func (t *tx) Posts(ch bot.ChannelID) ([]bot.Post, error) {
	b, err := t.postsOf(ch, false)
	if err != nil || b == nil {
		return nil, err
	}
	return listOpen(b, "post", func(k []byte, r *postRecord) error {
		if r.Channel != string(ch) || r.Seq != beUint(k) {
			return fmt.Errorf("storage: post %d of channel %s holds post %d of channel %s", beUint(k), ch, r.Seq, r.Channel)
		}
		return nil
	}, postRecord.bot)
}

// PutPost replaces a recorded post; one never recorded is an internal
// error.
func (t *tx) PutPost(p bot.Post) error {
	b, err := t.postsOf(p.Channel, false)
	if err != nil {
		return err
	}
	if b == nil || p.Seq == 0 || b.Get(u64key(p.Seq)) == nil {
		return bot.Internal(fmt.Errorf("storage: channel %s has no post %d", p.Channel, p.Seq))
	}
	return put(b, u64key(p.Seq), postToRecord(p), "post")
}

// PostChannels lists the channels holding a post not retracted.
func (t *tx) PostChannels() ([]bot.ChannelID, error) {
	b, err := t.bucket(bucketPosts)
	if err != nil {
		return nil, err
	}
	var out []bot.ChannelID
	err = b.ForEachBucket(func(k []byte) error {
		visible := false
		err := b.Bucket(k).ForEach(func(_, v []byte) error {
			var r postRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return bot.Internal(fmt.Errorf("storage: decoding a post of channel %s: %w", k, err))
			}
			visible = visible || r.Retracted.IsZero()
			return nil
		})
		if err != nil {
			return err
		}
		if visible {
			out = append(out, bot.ChannelID(k))
		}
		return nil
	})
	return out, err
}

// seedLedger records, when the ledger is added to an older file, what
// icbot posted before it kept one, as far as the file tells: each scene's
// latest top-line summary where it went, and whatever notices may have
// gone to each department's channel. Without the platform's reference
// they cannot be retracted, but they count against new readers like any
// post, and the IC is told when someone who may not read them joins.
func seedLedger(btx *bolt.Tx) error {
	posts := btx.Bucket(bucketPosts)
	add := func(p postRecord) error {
		b, err := posts.CreateBucketIfNotExists([]byte(p.Channel))
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		p.Seq = seq
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return b.Put(u64key(seq), v)
	}
	err := btx.Bucket(bucketScenes).ForEach(func(k, v []byte) error {
		var sc sceneRecord
		if err := json.Unmarshal(v, &sc); err != nil {
			return fmt.Errorf("scene %q: %w", k, err)
		}
		if sc.Topline.Channel == "" || sc.Topline.Version == 0 {
			return nil
		}
		return add(postRecord{Channel: sc.Topline.Channel, Class: int(bot.ClassTopline), Scene: sc.ID, At: sc.Topline.PostedAt,
			What: fmt.Sprintf("top-line summary of scene %s (version %d and earlier, posted before icbot kept a record of its posts)", sc.ID, sc.Topline.Version)})
	})
	if err != nil {
		return err
	}
	prod, _, err := get[productionRecord](btx.Bucket(bucketMeta), keyProduction, "production")
	if err != nil {
		return err
	}
	classes := map[bot.Role]bot.Class{bot.RoleCostume: bot.ClassGarments, bot.RoleHMU: bot.ClassBodyNotes}
	depts := make([]string, 0, len(prod.DeptChannels))
	for d := range prod.DeptChannels {
		depts = append(depts, d)
	}
	slices.Sort(depts)
	for _, d := range depts {
		class, ok := classes[bot.Role(d)]
		if !ok {
			class = bot.ClassCrew
		}
		err := add(postRecord{Channel: prod.DeptChannels[d], Class: int(class),
			What: fmt.Sprintf("%s notices that may have been posted before icbot kept a record of its posts", d)})
		if err != nil {
			return err
		}
	}
	return nil
}
