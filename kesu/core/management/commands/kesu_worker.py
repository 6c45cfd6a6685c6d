from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from kesu.core.worker import KesuWorker, poll_seconds


class Command(DatabaseWorkerCommand):
    help = "运行后台任务处理进程：入队即唤醒，并定时写入心跳"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(interval=poll_seconds())

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        worker = KesuWorker(queue_names=queue_name.split(","), interval=interval, batch=batch,
                            backend_name=backend_name, startup_delay=startup_delay, max_tasks=max_tasks,
                            worker_id=worker_id, excluded_queue_names=[])
        worker.configure_signals()
        worker.run()
