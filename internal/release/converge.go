package release

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/modelgate/modelgate/changelog"
	"github.com/modelgate/modelgate/check"
)

// converge settles the runs that created a draft of tag at the same time:
// it lists the releases again, keeps the oldest draft of tag with the
// model's marker (by creation time, then ID) and deletes the others, and
// returns the one kept. Every run sees the same drafts and keeps the same
// one; a draft another run deleted first is not an error.
func (r *releaser) converge(ctx context.Context, tag, model string, mine *github.RepositoryRelease) (*github.RepositoryRelease, error) {
	drafts := []*github.RepositoryRelease{mine}
	var published *github.RepositoryRelease
	err := r.eachRelease(ctx, func(rel *github.RepositoryRelease) bool {
		if rel.GetID() != mine.GetID() && ours(rel, tag, model) {
			drafts = append(drafts, rel)
		}
		if !rel.GetDraft() && rel.GetTagName() == tag {
			published = rel
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if published != nil {
		// Another run published the tag already. If it published this
		// run's draft, there is nothing to undo. Otherwise this run's
		// draft can never be published (GitHub keeps one release of a
		// tag, so no run can have published it either): it goes. Either
		// way the run starts over and finds the published release.
		if published.GetID() != mine.GetID() {
			if err := r.deleteDraft(ctx, tag, mine.GetID()); err != nil {
				return nil, err
			}
		}
		return nil, fmt.Errorf("%w: it was published meanwhile", errRaced)
	}
	oldest := mine
	for _, d := range drafts[1:] {
		if older(d, oldest) {
			oldest = d
		}
	}
	for _, d := range drafts {
		if d.GetID() == oldest.GetID() {
			continue
		}
		if err := r.deleteDraft(ctx, tag, d.GetID()); err != nil {
			return nil, err
		}
	}
	if oldest.GetID() != mine.GetID() {
		r.say("another run created the draft %s at the same time: kept the older one (%s), deleted this run's", tag, oldest.GetHTMLURL())
	}
	return oldest, nil
}

// deleteDraft deletes the duplicate draft id of tag; one another run
// deleted first is not an error.
func (r *releaser) deleteDraft(ctx context.Context, tag string, id int64) error {
	err := r.call(ctx, "deleting the duplicate draft "+tag, func() (*github.Response, error) {
		return r.gh.Repositories.DeleteRelease(ctx, r.opts.Owner, r.opts.Repo, id)
	})
	if err != nil && status(err) != http.StatusNotFound {
		return err
	}
	return nil
}

// older orders releases by creation time, then by ID.
func older(a, b *github.RepositoryRelease) bool {
	ta, tb := a.GetCreatedAt().Time, b.GetCreatedAt().Time
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.GetID() < b.GetID()
}

// maxUploads bounds the uploads of the record when other runs keep
// replacing it at the same time.
const maxUploads = 4

// attachRecord uploads the version record to the draft rel, replacing an
// earlier upload. The asset's label carries a digest of the record, so a
// record already there with the same content is left as it is: runs racing
// on one version (a re-run, two workflows on one tag) write the same
// record and never delete each other's. A different record is deleted and
// uploaded anew; an upload that finds the name taken (422 already_exists:
// another run's record landed in between) looks again, and deletes and
// retries unless the record there is the same. The draft ends with exactly
// one record. A draft deleted or published under the upload is errRaced.
func (r *releaser) attachRecord(ctx context.Context, rel *github.RepositoryRelease, m *check.ModelReport, tag string) error {
	name := tag + ".record.json"
	data, err := json.MarshalIndent(changelog.NewRecord(m, r.opts.Tool), "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	sum := sha256.Sum256(data)
	label := fmt.Sprintf("%s (sha256 %s)", name, hex.EncodeToString(sum[:8]))
	assets := rel.Assets // as the release was last seen: no request needed
	for try := 1; ; try++ {
		if present(assets, name, label) {
			return nil
		}
		if err := r.deleteAssets(ctx, assets, name); err != nil {
			return err
		}
		err := r.upload(ctx, rel.GetID(), name, label, data)
		if err == nil {
			return nil
		}
		switch {
		case status(err) == http.StatusNotFound:
			return fmt.Errorf("%w: the draft was deleted meanwhile", errRaced)
		case immutable(err):
			return fmt.Errorf("%w: it was published meanwhile", errRaced)
		case !taken(err) || try == maxUploads:
			return err
		}
		if assets, err = r.listAssets(ctx, rel.GetID()); err != nil {
			return err
		}
	}
}

// present says whether assets hold the record name with label.
func present(assets []*github.ReleaseAsset, name, label string) bool {
	for _, a := range assets {
		if a.GetName() == name && a.GetLabel() == label {
			return true
		}
	}
	return false
}

// upload uploads data as the asset name. A retry after a failed-looking
// attempt first removes what that attempt may have stored.
func (r *releaser) upload(ctx context.Context, id int64, name, label string, data []byte) error {
	q := url.Values{"name": {name}, "label": {label}}
	u := fmt.Sprintf("repos/%s/%s/releases/%d/assets?%s", url.PathEscape(r.opts.Owner), url.PathEscape(r.opts.Repo), id, q.Encode())
	retry := false
	return r.call(ctx, "uploading "+name, func() (*github.Response, error) {
		if retry {
			assets, err := r.listAssets(ctx, id)
			if err == nil && present(assets, name, label) {
				return nil, nil
			}
			if err == nil {
				err = r.deleteAssets(ctx, assets, name)
			}
			if err != nil {
				return nil, err
			}
		}
		retry = true
		req, err := r.gh.NewUploadRequest(u, bytes.NewReader(data), int64(len(data)), "application/json")
		if err != nil {
			return nil, err
		}
		return r.gh.Do(ctx, req, nil)
	})
}

// listAssets lists the assets of the release id.
func (r *releaser) listAssets(ctx context.Context, id int64) ([]*github.ReleaseAsset, error) {
	var all []*github.ReleaseAsset
	opt := &github.ListOptions{PerPage: 100}
	for {
		var next int
		err := r.call(ctx, "listing the release's assets", func() (*github.Response, error) {
			assets, resp, err := r.gh.Repositories.ListReleaseAssets(ctx, r.opts.Owner, r.opts.Repo, id, opt)
			if resp != nil {
				next = resp.NextPage
			}
			if err == nil {
				all = append(all, assets...)
			}
			return resp, err
		})
		if status(err) == http.StatusNotFound {
			return nil, fmt.Errorf("%w: the draft was deleted meanwhile", errRaced)
		}
		if err != nil || next == 0 {
			return all, err
		}
		opt.Page = next
	}
}

// deleteAssets deletes the assets of the given name; one another run
// deleted first is not an error.
func (r *releaser) deleteAssets(ctx context.Context, assets []*github.ReleaseAsset, name string) error {
	for _, a := range assets {
		if a.GetName() != name {
			continue
		}
		err := r.call(ctx, "replacing "+name, func() (*github.Response, error) {
			return r.gh.Repositories.DeleteReleaseAsset(ctx, r.opts.Owner, r.opts.Repo, a.GetID())
		})
		if err != nil && status(err) != http.StatusNotFound {
			if immutable(err) {
				return fmt.Errorf("%w: it was published meanwhile", errRaced)
			}
			return err
		}
	}
	return nil
}

// taken says whether err is GitHub's 422 for an asset name in use.
func taken(err error) bool {
	var e *apiError
	if !errors.As(err, &e) || e.status != http.StatusUnprocessableEntity {
		return false
	}
	var er *github.ErrorResponse
	if errors.As(e.cause, &er) {
		for _, fe := range er.Errors {
			if fe.Code == "already_exists" {
				return true
			}
		}
	}
	return false
}

// immutable says whether err is GitHub's refusal to change the assets of a
// published immutable release.
func immutable(err error) bool {
	var e *apiError
	if !errors.As(err, &e) || e.status != http.StatusUnprocessableEntity {
		return false
	}
	var er *github.ErrorResponse
	return errors.As(e.cause, &er) && strings.Contains(strings.ToLower(er.Message), "immutable release")
}
