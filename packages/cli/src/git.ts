import { execFileSync } from 'node:child_process';
import { displayName } from './format/escape';
import {
  InputError,
  MANIFEST_FILE,
  ManifestText,
  refuseUnbuilt,
} from './inputs';

/*
 * Manifests of a git revision, read from the working repository without a checkout:
 * `git ls-tree` lists the files (with their sizes, so a blob over the limit is refused before it
 * is read) and `git show <rev>:<path>` reads each one (git-ls-tree(1), git-show(1)). git runs
 * with execFile (no shell), a bounded output and a time limit.
 */

/** A git run is given this long; a repository that takes longer is refused, not waited on. */
const GIT_TIMEOUT_MS = 60_000;
/** Bytes of a `git ls-tree` listing read at most (about 100,000 paths). */
const MAX_LISTING_BYTES = 16 * 1024 * 1024;

function git(args: string[], maxBuffer: number, what: string): Buffer {
  try {
    return execFileSync('git', args, {
      maxBuffer,
      timeout: GIT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new InputError(`${what}: git is not installed`);
    if (e.code === 'ENOBUFS') throw new InputError(`${what}: output too large`);
    const detail = e.stderr?.toString('utf8').trim().split('\n')[0];
    throw new InputError(`${what}: ${detail || e.code || 'git failed'}`);
  }
}

/** Whether `value` names a commit of the working repository (never an option: no leading `-`). */
export function isGitRevision(value: string): boolean {
  if (value.startsWith('-') || value.length > 256) return false;
  try {
    execFileSync(
      'git',
      ['rev-parse', '--verify', '--quiet', `${value}^{commit}`],
      {
        stdio: 'ignore',
        timeout: GIT_TIMEOUT_MS,
        windowsHide: true,
      },
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * The manifest files of `revision` under `paths` (relative to the working directory; the whole
 * tree below it when none), named by their path from the repository root.
 */
export function gitTexts(
  revision: string,
  paths: string[],
  maxFiles: number,
): ManifestText[] {
  const rev = displayName(revision);
  const listing = git(
    [
      'ls-tree',
      '-r',
      '-l',
      '-z',
      '--full-name',
      revision,
      '--',
      ...(paths.length ? paths : ['.']),
    ],
    MAX_LISTING_BYTES,
    `git ls-tree ${rev}`,
  ).toString('utf8');
  const texts: ManifestText[] = [];
  for (const entry of listing.split('\0')) {
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const m = /^\d+ blob [0-9a-f]+ +(\d+)\t(.+)$/s.exec(entry);
    if (!m) continue;
    const file = m[2];
    // As on disk (inputs.ts): a Helm chart or a kustomization is refused.
    const slash = file.lastIndexOf('/');
    refuseUnbuilt(
      slash < 0 ? '.' : file.slice(0, slash),
      file.slice(slash + 1),
      `${rev}: `,
    );
    if (!MANIFEST_FILE.test(file)) continue;
    const size = Number(m[1]);
    if (texts.length === maxFiles)
      throw new InputError(
        `${rev}: more than ${maxFiles} manifest files: give fewer paths`,
      );
    texts.push({
      name: file,
      read: (maxBytes, tooLarge) => {
        if (size > maxBytes) throw tooLarge();
        return git(
          ['show', '--no-textconv', `${revision}:${file}`],
          maxBytes + 1,
          `git show ${rev}:${displayName(file)}`,
        );
      },
    });
  }
  return texts;
}
