package storage

import (
	"time"

	"icbot/bot"
)

// noticeRecord is what is recorded of a person's privacy notice: the
// version last sent and when, the version last acknowledged and when. In
// a keyed file it carries a MAC, as the authority records do: an
// acknowledgement written without the key would tell the IC that someone
// was told what icbot keeps when they were not, and a "sent" written
// without the key would keep the notice from them.
type noticeRecord struct {
	User    string    `json:"user"`
	Sent    int       `json:"sent,omitempty"`
	SentAt  time.Time `json:"sent_at,omitzero"`
	Acked   int       `json:"acked,omitempty"`
	AckedAt time.Time `json:"acked_at,omitzero"`
	MAC     []byte    `json:"mac,omitempty"`
}

func (r *noticeRecord) macField() *[]byte { return &r.MAC }

// placeNotice is where a person's notice record is: the place its MAC is
// bound to.
func placeNotice(id string) string { return aad("notices", id) }

func noticeToRecord(st bot.NoticeState) noticeRecord {
	return noticeRecord{User: string(st.User), Sent: st.Sent, SentAt: utc(st.SentAt), Acked: st.Acked, AckedAt: utc(st.AckedAt)}
}

func (r noticeRecord) bot() bot.NoticeState {
	return bot.NoticeState{User: bot.UserID(r.User), Sent: r.Sent, SentAt: r.SentAt, Acked: r.Acked, AckedAt: r.AckedAt}
}

// Notice returns what is recorded of id's privacy notice; ENOTFOUND when
// nothing is.
func (t *tx) Notice(id bot.UserID) (bot.NoticeState, error) {
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return bot.NoticeState{}, err
	}
	r, ok, err := get[noticeRecord](b, []byte(id), "notice")
	switch {
	case err != nil:
		return bot.NoticeState{}, err
	case !ok:
		return bot.NoticeState{}, notFound("no notice for %s", id)
	}
	if err := checkRecord(t.codec, placeNotice(string(id)), &r); err != nil {
		return bot.NoticeState{}, bot.Internal(err)
	}
	return r.bot(), nil
}

// Notices lists every notice record in byte order of id.
func (t *tx) Notices() ([]bot.NoticeState, error) {
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return nil, err
	}
	return listOpen(b, "notice", func(k []byte, r *noticeRecord) error {
		return checkRecord(t.codec, placeNotice(string(k)), r)
	}, noticeRecord.bot)
}

// PutNotice adds or replaces the record of st.User's notice.
func (t *tx) PutNotice(st bot.NoticeState) error {
	if err := required("notice", string(st.User)); err != nil {
		return err
	}
	b, err := t.bucket(bucketNotices)
	if err != nil {
		return err
	}
	r, err := markRecord(t.codec, placeNotice(string(st.User)), noticeToRecord(st))
	if err != nil {
		return bot.Internal(err)
	}
	return put(b, []byte(st.User), r, "notice")
}
