import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { MailTemplates } from '../../services/notify/templates.js';

const EXAMPLE = 'config/reclaim.example.yaml';

describe('notify and license configuration, and mail templates', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'reclaim-notify-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('the example documents every notify and license key with its default', () => {
    const example = loadConfig({ file: EXAMPLE, env: {} });
    const defaults = loadConfig({ file: write('empty.yaml', ''), env: {} });
    assert.deepEqual(example.notify, defaults.notify);
    assert.deepEqual(example.license, defaults.license);
    assert.equal(example.license.alertCooldownHours, 24);
    assert.equal(example.notify.noticeToOffboarded, false);
    assert.equal(example.notify.publicUrl, null);
    assert.deepEqual(example.notify.templates, {
      runSummary: null,
      alert: null,
      warning: null,
      offboarded: null,
    });
  });

  it('refuses a misspelt template name and a bad public URL, naming the key', () => {
    assert.throws(
      () => loadConfig({ file: write('bad.yaml', 'notify:\n  templates: { runsummary: x.txt }\n'), env: {} }),
      /notify\.templates/,
    );
    assert.throws(
      () =>
        loadConfig({ file: write('bad-url.yaml', 'notify:\n  publicUrl: reclaim.example.com\n'), env: {} }),
      /notify\.publicUrl/,
    );
  });

  it('renders the default templates, or the files the configuration names', () => {
    const defaults = new MailTemplates({ runSummary: null, alert: null, warning: null, offboarded: null });
    const alert = defaults.render('alert', {
      subject: 'a <b>',
      text: 'x & y',
      alertId: 'id-1',
      alertKind: 'k',
    });
    assert.match(alert.text, /^a <b>\n\nx & y\n/);
    assert.match(alert.html, /a &lt;b&gt;/);
    assert.match(alert.html, /x &amp; y/);

    const text = write('alert.txt', 'ALERT {{subject}} / {{unknown}}!\n');
    const html = write('alert.html', '<b>{{subject}}</b> {{{raw}}}');
    const textOnly = new MailTemplates({ runSummary: null, alert: text, warning: null, offboarded: null });
    const rendered = textOnly.render('alert', { subject: 'x<y' });
    assert.equal(rendered.text, 'ALERT x<y / !\n');
    assert.match(rendered.html, /<pre[^>]*>ALERT x&lt;y \/ !\n<\/pre>/);
    const both = new MailTemplates({
      runSummary: null,
      alert: { text, html },
      warning: null,
      offboarded: null,
    });
    assert.equal(both.render('alert', { subject: 'x<y', raw: '<i>ok</i>' }).html, '<b>x&lt;y</b> <i>ok</i>');
  });
});
