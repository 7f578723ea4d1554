/*
 * wavrec: a baresip 1.1 audio player that writes what an account receives
 * to a WAV file (the player's device), paced in real time by a thread.
 *
 * It replaces the player of baresip's aufile module, whose thread marks
 * itself running only once it runs: a player closed before its thread was
 * scheduled (a call ended right after it started, common on a loaded
 * machine) was freed without waiting for the thread, which then wrote
 * through freed memory and crashed the process (heap corruption, abort or
 * segfault in libc).
 */
#include <pthread.h>
#include <stdbool.h>
#include <re.h>
#include <rem.h>

/* The part of baresip 1.1's module interface used here (Debian ships no
 * baresip headers); the layouts are those of baresip 1.1.0's baresip.h. */
struct auplay;
struct auframe {
	int fmt;
	void *sampv;
	size_t sampc;
	uint64_t timestamp;
};
struct auplay_prm {
	uint32_t srate;
	uint8_t ch;
	uint32_t ptime;
	int fmt;
};
struct auplay_st;
typedef void (auplay_write_h)(struct auframe *af, void *arg);
typedef int (auplay_alloc_h)(struct auplay_st **stp, const struct auplay *ap,
			     struct auplay_prm *prm, const char *device,
			     auplay_write_h *wh, void *arg);
int auplay_register(struct auplay **pp, struct list *auplayl,
		    const char *name, auplay_alloc_h *alloch);
struct list *baresip_auplayl(void);

struct auplay_st {
	struct aufile *file;
	struct auplay_prm prm;
	auplay_write_h *wh;
	void *arg;
	void *sampv;
	size_t sampc;
	size_t bytes;
	pthread_t thread;
	bool started;      /* the thread exists: it must be joined */
	volatile bool run;
};

static struct auplay *player;

static void destructor(void *arg)
{
	struct auplay_st *st = arg;

	st->run = false;
	if (st->started)
		pthread_join(st->thread, NULL);

	mem_deref(st->file);
	mem_deref(st->sampv);
}

static void *write_thread(void *arg)
{
	struct auplay_st *st = arg;
	uint64_t t = tmr_jiffies();

	while (st->run) {
		struct auframe af = {
			.fmt = st->prm.fmt,
			.sampv = st->sampv,
			.sampc = st->sampc,
			.timestamp = t * 1000,
		};
		int64_t wait;

		st->wh(&af, st->arg);
		if (aufile_write(st->file, st->sampv, st->bytes))
			break;

		t += st->prm.ptime;
		wait = (int64_t)(t - tmr_jiffies());
		if (wait > 0)
			sys_msleep((unsigned)wait);
	}

	return NULL;
}

static int alloc_handler(struct auplay_st **stp, const struct auplay *ap,
			 struct auplay_prm *prm, const char *device,
			 auplay_write_h *wh, void *arg)
{
	struct aufile_prm fprm;
	struct auplay_st *st;
	int err;
	(void)ap;

	if (!stp || !prm || !wh || !prm->ch || !prm->srate || !prm->ptime)
		return EINVAL;

	/* No file named: not a recording (a local alert tone), nothing to do. */
	if (!str_isset(device))
		return ENODEV;

	st = mem_zalloc(sizeof(*st), destructor);
	if (!st)
		return ENOMEM;

	st->prm = *prm;
	st->wh = wh;
	st->arg = arg;
	st->sampc = (size_t)prm->srate * prm->ch * prm->ptime / 1000;
	st->bytes = st->sampc * aufmt_sample_size(prm->fmt);
	st->sampv = mem_zalloc(st->bytes, NULL);
	if (!st->sampv) {
		err = ENOMEM;
		goto out;
	}

	fprm.srate = prm->srate;
	fprm.channels = prm->ch;
	fprm.fmt = prm->fmt;
	err = aufile_open(&st->file, &fprm, device, AUFILE_WRITE);
	if (err)
		goto out;

	/* Running before the thread exists, so that a player closed at once
	 * still waits for its thread. */
	st->run = true;
	err = pthread_create(&st->thread, NULL, write_thread, st);
	if (err) {
		st->run = false;
		goto out;
	}
	st->started = true;

 out:
	if (err)
		mem_deref(st);
	else
		*stp = st;

	return err;
}

static int module_init(void)
{
	return auplay_register(&player, baresip_auplayl(), "wavrec",
			       alloc_handler);
}

static int module_close(void)
{
	player = mem_deref(player);
	return 0;
}

const struct mod_export exports = {
	"wavrec",
	"auplay",
	module_init,
	module_close,
};
