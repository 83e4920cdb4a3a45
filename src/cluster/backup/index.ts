// Backup and restore of the store, and the pure half of recovering a cluster that lost
// quorum. See docs/cluster.md, "Backup and restore".
export {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type Archive,
  type ArchivedKey,
  type ArchiveHeader,
  type ArchiveManifest,
} from './archive-format.js';
export { writeArchiveFile } from './archive-file.js';
export { decodeArchive } from './decode-archive.js';
export { archiveHeader, archiveStream, encodeArchive } from './encode-archive.js';
export {
  BACKUP_ERROR_CODES,
  BackupError,
  isBackupError,
  type BackupErrorCode,
  type BackupResult,
} from './errors.js';
export { planRecovery, type RecoveryInput, type RecoveryPlan, type RecoveryProbe } from './recovery-plan.js';
export { batchesOf, restoreArchive, restoreKeys, type RestoreReport } from './restore-archive.js';
export { snapshotStore, type SnapshotOptions, type StoreSnapshot } from './snapshot-store.js';
