"""Small server files for the import tests: a volume history and a device configuration in
the layouts tsm_formats_files reads (DSMADMC.md §5.3, [K])."""

VOLHIST = """\
*******************************************************************************
*  Sequential Volume Usage History
*******************************************************************************
 2024/06/10 04:00:00  BACKUPFULL     41     0     1  LTOCLASS  "DB0041L8"
 2024/06/10 04:20:00  BACKUPFULL     41     0     2  LTOCLASS  "DB0042L8"
 2024/06/11 04:00:00  BACKUPINCR     41     1     1  LTOCLASS  "DB0043L8"
 2024/06/12 05:00:00  DBSNAPSHOT      7     0     1  LTOCLASS  "SN0007L8"
 2024/06/12 06:00:00  BACKUPFULL     42     0     1  LTOCLASS  "GONE01L8"
 2024/06/01 10:00:00  STGNEW          0     0     0  LTOCLASS  "CP0001L8"
 2024/06/13 10:00:00  STGDELETE       0     0     0  LTOCLASS  "CP0001L8"
"""

DEVCONFIG = """\
/* Device Configuration */
SET SERVERNAME SERVER1
SET SERVERPASSWORD 18c0be89
DEFINE DEVCLASS LTOCLASS DEVTYPE=LTO FORMAT=DRIVE -
  LIBRARY=LIB1 MOUNTLIMIT=DRIVES
DEFINE LIBRARY LIB1 LIBTYPE=SCSI SHARED=NO
DEFINE DRIVE LIB1 DRIVE01 ELEMENT=256 ONLINE=Yes
DEFINE PATH SERVER1 LIB1 SRCTYPE=SERVER DESTTYPE=LIBRARY DEVICE=/dev/smc0 ONLINE=YES
DEFINE PATH SERVER1 DRIVE01 SRCTYPE=SERVER DESTTYPE=DRIVE LIBRARY=LIB1 DEVICE=/dev/rmt0
/* LIBRARYINVENTORY SCSI LIB1 DB0041L8 4096 101*/
"""
