import assert from 'node:assert/strict';
import {
  CrowdMembershipParser,
  CrowdMembershipXmlError,
  decodeXmlEntities,
  type CrowdMembership,
} from '../../services/jira/crowd-membership-xml.js';

/*
 * Crowd's /group/membership answer read as it streams in: whatever the chunk boundaries, the
 * memberships (and every group name and username) come out the same.
 */

const XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<memberships>\n' +
  '  <membership group="R&amp;D &lt;core&gt;">\n' +
  '    <users><user name="alice"/><user name="o&apos;brien" /><user name=\'quote&quot;d\'></user></users>\n' +
  '    <groups><group name="r&amp;d-interns"/></groups>\n' +
  '  </membership>\n' +
  '  <!-- a comment with <user name="nobody"/> inside -->\n' +
  '  <membership group="caf&#233;-&#x1F600;"><users><user name="b&gt;c"/></users><groups/></membership>\n' +
  '  <membership group="empty"/>\n' +
  '</memberships>\n';

const EXPECTED: CrowdMembership[] = [
  { group: 'R&D <core>', users: ['alice', "o'brien", 'quote"d'], childGroups: ['r&d-interns'] },
  { group: 'café-😀', users: ['b>c'], childGroups: [] },
  { group: 'empty', users: [], childGroups: [] },
];

function parseInChunks(xml: string, cuts: number[]): CrowdMembership[] {
  const parser = new CrowdMembershipParser();
  const out: CrowdMembership[] = [];
  let from = 0;
  for (const cut of [...cuts, xml.length]) {
    out.push(...parser.write(xml.slice(from, cut)));
    from = cut;
  }
  out.push(...parser.end());
  return out;
}

describe("Crowd's group membership XML", () => {
  it('reads groups, users and nested groups, decoding entities, in one chunk', () => {
    assert.deepEqual(parseInChunks(XML, []), EXPECTED);
  });

  it('gives the same memberships when a chunk ends in the middle of a tag or an entity', () => {
    const insideTag = XML.indexOf('name="o&apos;') + 8;
    const insideEntity = XML.indexOf('&#x1F600;') + 4;
    const insideSelfClose = XML.indexOf('<groups/>') + 7;
    assert.deepEqual(parseInChunks(XML, [insideTag, insideEntity, insideSelfClose]), EXPECTED);
  });

  it('gives the same memberships whatever the chunk boundary, down to one character a chunk', () => {
    for (let cut = 1; cut < XML.length; cut++)
      assert.deepEqual(parseInChunks(XML, [cut]), EXPECTED, `cut ${cut}`);
    assert.deepEqual(
      parseInChunks(
        XML,
        Array.from({ length: XML.length - 1 }, (_, i) => i + 1),
      ),
      EXPECTED,
    );
  });

  it('hands a membership over as soon as it is closed', () => {
    const parser = new CrowdMembershipParser();
    const end = XML.indexOf('</membership>') + '</membership>'.length;
    assert.deepEqual(parser.write(XML.slice(0, end)), [EXPECTED[0]]);
    assert.deepEqual(parser.write(XML.slice(end)), EXPECTED.slice(1));
    assert.deepEqual(parser.end(), []);
  });

  it('refuses an answer cut short, an unknown entity and a user outside a membership', () => {
    const cut = new CrowdMembershipParser();
    cut.write(XML.slice(0, XML.indexOf('<user name="b')));
    assert.throws(() => cut.end(), CrowdMembershipXmlError);
    const inTag = new CrowdMembershipParser();
    inTag.write('<memberships><membership group="a"></membership><membership gro');
    assert.throws(() => inTag.end(), /ends inside a tag/);
    assert.throws(() => decodeXmlEntities('a&nbsp;b'), /unknown entity &nbsp;/);
    assert.throws(() => new CrowdMembershipParser().write('<memberships><user name="x"/>'), /outside/);
    assert.throws(
      () => new CrowdMembershipParser().write('<membership group="a"><users><user/></users>'),
      /without a name/,
    );
  });
});
